// Byte quantities as kubelet reads them (containerLogMaxSize: "10Mi"): plain bytes, or a
// binary (Ki, Mi, Gi) or decimal (k, M, G) suffix. Pure.

const UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };

/** Bytes, or undefined when text is not a whole, non-negative quantity with a known suffix. */
export function parseQuantity(text: string): number | undefined {
  const m = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(text.trim());
  if (!m) return undefined;
  const bytes = Number(m[1]) * UNITS[m[2] ?? '']!;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
