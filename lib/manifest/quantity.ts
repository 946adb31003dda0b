// Quantities as Kubernetes writes them. Pure.
// - parseQuantity: whole bytes as kubelet reads containerLogMaxSize ("10Mi"): plain bytes, or a
//   binary (Ki, Mi, Gi) or decimal (k, M, G) suffix.
// - parseResourceQuantity: a resource quantity (`resources.limits.cpu: 250m`, `memory: 512Mi`):
//   a decimal number, optionally with a fraction, and a suffix (binary Ki…Ei, decimal n u m k M
//   G T P E, or an exponent e3), as apimachinery's resource.Quantity accepts; what CPU and memory
//   are made of (milliCPU and bytes) rounds up, as Quantity.MilliValue and Value do.

const UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };

/** Bytes, or undefined when text is not a whole, non-negative quantity with a known suffix. */
export function parseQuantity(text: string): number | undefined {
  const m = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(text.trim());
  if (!m) return undefined;
  const bytes = Number(m[1]) * UNITS[m[2] ?? '']!;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const RESOURCE_UNITS: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a resource quantity ("250m" → 0.25, "1Gi" → 1073741824), or undefined. YAML may give a number (`cpu: 1`). */
export function parseResourceQuantity(value: string | number): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  const m = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]) * (m[3] !== undefined ? 10 ** Number(m[3]) : RESOURCE_UNITS[m[2] ?? '']!);
  return Number.isFinite(n) ? n : undefined;
}

/** milliCPU, rounded up ("250m" → 250, "0.5" → 500, "1" → 1000). */
export const milliCpu = (value: number): number => Math.ceil(Math.round(value * 1e9) / 1e6);

/** Bytes, rounded up. */
export const bytesOf = (value: number): number => Math.ceil(value);
