// Summaries the benchmarks print: median and p90 (nearest rank).
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summary(label: string, values: number[], unit = 'ms'): string {
  const f = (n: number) => n.toFixed(1).padStart(7);
  return `${label.padEnd(48)} median ${f(percentile(values, 50))} ${unit}   p90 ${f(percentile(values, 90))} ${unit}   (n=${values.length})`;
}
