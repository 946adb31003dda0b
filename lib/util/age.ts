// kubectl's relative ages (duration.HumanDuration): the AGE and LAST SEEN columns, made by the
// CLI for its tables and by the daemon for the pod Table it serves (lib/pod/table.ts).

/** kubectl's AGE / LAST SEEN: 42s, 2m, 5m30s, 119m, 3h, 7h15m, 47h, 2d, 3d4h, 30d, 2y10d, 9y. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>'; // clock skew, as kubectl: a second either way is 0s
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

/** The age of an RFC 3339 time (a creation, an event) at `now`; `<unknown>` for none. */
export function age(since: string | null | undefined, now = Date.now()): string {
  const at = Date.parse(since ?? '');
  return Number.isNaN(at) ? '<unknown>' : humanDuration(now - at);
}
