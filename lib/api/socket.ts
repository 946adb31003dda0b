// Where the daemon listens and what its answers mean: shared by ApiClient (node:http) and
// getOnce (node:net, the quick listings), so both find the same socket and say the same errors.
import { MinipodError, type ErrorCode } from '../errors.js';
import { nodeDirOf } from '../node-paths.js';
import type { ErrorBody } from './protocol.js';

export const DEFAULT_SOCKET = '/run/minipod/minipod.sock';

/** --socket, then MINIPOD_SOCKET, then the default path (docs/ARCHITECTURE.md, "The CLI and the API"). */
export function resolveSocket(flag?: string): string {
  return flag || process.env.MINIPOD_SOCKET || DEFAULT_SOCKET;
}

/** path with ?namespace= when one was given and the path is namespaced (api/scope.ts reads it). */
export function scopedPath(path: string, namespace: string | undefined): string {
  if (namespace === undefined || !/^\/(pods|deployments|events)\b/.test(path) || /[?&]namespace=/.test(path)) return path;
  return `${path}${path.includes('?') ? '&' : '?'}namespace=${encodeURIComponent(namespace)}`;
}

/** What the CLI says when it cannot connect: not root, or no daemon there. */
export function unreachableError(socketPath: string, err: NodeJS.ErrnoException): MinipodError {
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return new MinipodError('UNAVAILABLE', `permission denied on ${socketPath}: the minipod socket is root-only, run the command as root (sudo)`);
  }
  // The connection was there and went before the answer: the request may have been carried out.
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    return new MinipodError('UNAVAILABLE', `the minipod daemon at ${socketPath} closed the connection before answering (it stopped, or a \`node restart\` replaced it): what it was asked to change may or may not have been done; look with \`minipod ps\` or \`minipod inspect\``);
  }
  const node = nodeDirOf(socketPath);
  if (node) return new MinipodError('UNAVAILABLE', `minipod daemon is not running at ${socketPath}: start the node's daemon with \`minipod node start --dir ${node}\` (its pods still running are re-adopted), or, if \`minipod node restart\` is under way, retry in a moment`);
  return new MinipodError(
    'UNAVAILABLE',
    `minipod daemon is not running at ${socketPath}: start it with \`sudo minipod daemon\` (or \`minipod node start\` for an isolated node and export the MINIPOD_SOCKET it prints)`,
  );
}

/** The error a non-2xx answer carries (its ErrorBody), or one that says what came instead. */
export function toError(status: number, text: string): MinipodError {
  try {
    const { error } = JSON.parse(text) as ErrorBody;
    return new MinipodError(error.code as ErrorCode, error.message, { details: error.details });
  } catch {
    return new MinipodError('INTERNAL', `daemon answered ${status}: ${text.slice(0, 200)}`);
  }
}
