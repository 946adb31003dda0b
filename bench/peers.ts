// `npm run bench -- --peers`: every minipod figure next to its floor and peers, measured in the
// same run, as one table at the end (issue 13). A bench part adds its row with one call:
//   table.add('rm -f of a running pod', 'ms', median(rm), [{ name: 'CNI bridge DEL', value: median(del) }]);
// A peer that could not be measured (not installed) keeps its row, saying why, with no ratio.
import { percentile } from './stats.js';

export type Unit = 'ms' | 's' | 'MiB';

export interface Peer {
  /** The floor or peer, as the table names it: "floor C: SIGKILL", "CNI bridge: holder + ADD". */
  name: string;
  /** Its figure in the row's unit, or undefined when it was not measured (then `why`). */
  value?: number;
  why?: string;
  /** Measured in pairs, each run of minipod beside one of the peer: the median of the pairs' ratios,
   * printed instead of the medians' quotient (it holds while the machine's speed drifts). */
  pairedRatio?: number;
}

export interface Row {
  work: string;
  unit: Unit;
  minipod: number;
  peers: Peer[];
}

export const median = (xs: number[]): number => percentile(xs, 50);

/** minipod / peer, as "2.10×"; "–" when there is nothing to divide by. */
export function ratio(minipod: number, peer: number | undefined): string {
  if (peer === undefined || !Number.isFinite(peer) || peer <= 0 || !Number.isFinite(minipod)) return '–';
  return `${(minipod / peer).toFixed(2)}×`;
}

/** A figure with its unit: ms to 0.1 (0.01 under 1 ms), s to 0.01, MiB to 0.1. */
export function formatValue(value: number, unit: Unit): string {
  if (unit === 's') return `${value.toFixed(2)} s`;
  if (unit === 'ms' && value < 1) return `${value.toFixed(2)} ms`;
  return `${value.toFixed(1)} ${unit}`;
}

/** The rows as a Markdown table (work | floor / peer | minipod | ratio), one line per peer; columns padded. */
export function formatTable(rows: Row[]): string {
  const lines: string[][] = [['work', 'floor / peer', 'minipod', 'ratio (minipod / floor or peer)']];
  for (const row of rows) {
    const mine = formatValue(row.minipod, row.unit);
    if (!row.peers.length) lines.push([row.work, '–', mine, '–']);
    row.peers.forEach((p, i) => {
      const peer = p.value === undefined ? `${p.name}: not measured (${p.why ?? 'unknown'})` : `${p.name} ${formatValue(p.value, row.unit)}`;
      const quotient = ratio(row.minipod, p.value);
      lines.push([i ? '' : row.work, peer, i ? '' : mine, p.pairedRatio === undefined ? quotient : `${p.pairedRatio.toFixed(2)}× (median of the pairs; medians ${quotient})`]);
    });
  }
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(lines[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.slice(1).map(line)].join('\n');
}

/** The rows a run collects; `--peers` prints them at the end. */
export class PeerTable {
  readonly rows: Row[] = [];

  add(work: string, unit: Unit, minipod: number, peers: Peer[] = []): void {
    this.rows.push({ work, unit, minipod, peers });
  }

  format(): string {
    return formatTable(this.rows);
  }
}

/** Each phase's median over a run's creates (`timings.phases`), in the order the phases ran. */
export function phaseMedians(samples: Record<string, number>[]): { phase: string; median: number }[] {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  return names.map((phase) => ({ phase, median: median(samples.map((s) => s[phase] ?? 0)) }));
}
