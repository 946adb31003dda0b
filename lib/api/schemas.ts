// What every request body and query must be, next to the wire types (protocol.ts). A request that
// does not fit is refused with INVALID_ARGUMENT and a message naming the field, before any work.
import net from 'node:net';
import { constants } from 'node:os';
import { z } from 'zod';
import { MinipodError } from '../errors.js';
import { parseSinceTime } from '../logs/cri.js';
import { validateManifest } from '../manifest/parse.js';
import { DNS_LABEL, type PodManifest } from '../manifest/pod-spec.js';

/** value through schema, or INVALID_ARGUMENT: `message` when given, else the first issue's. */
export function check<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, message?: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new MinipodError('INVALID_ARGUMENT', message ?? result.error.issues[0]?.message ?? 'invalid request');
}

/** A pod's or Deployment's name from a path segment: percent-decoded, then a DNS-1123 label. */
export function nameParam(raw: string | undefined, what: 'pod' | 'deployment'): string {
  let name: string;
  try {
    name = decodeURIComponent(raw ?? '');
  } catch {
    throw new MinipodError('INVALID_ARGUMENT', `${what} name "${raw}" is not valid percent-encoding`);
  }
  if (!DNS_LABEL.test(name)) throw new MinipodError('INVALID_ARGUMENT', `${what} name "${name}" is not a DNS-1123 label`);
  return name;
}

/** A JSON object body (a manifest, a kill target), never an array, a string or null. */
export function jsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new MinipodError('INVALID_ARGUMENT', 'request body is not valid JSON');
  }
  return check(z.record(z.unknown()), value, 'request body must be a JSON object');
}

/** POST /pods: the manifest schema of lib/manifest, with its per-field messages. */
export const podCreateBody = (body: Buffer): PodManifest => validateManifest(jsonObject(body));

const signalName = z.unknown().transform((raw, ctx) => {
  const name = `SIG${String(raw ?? 'KILL').replace(/^SIG/i, '').toUpperCase()}`;
  if (name in constants.signals) return name as NodeJS.Signals;
  ctx.addIssue({ code: 'custom', message: `unknown signal ${String(raw)}` });
  return z.NEVER;
});

/** POST /pods/NAME/kill: {"signal"?: NAME, and "sandbox": true or "container": NAME}. */
export const killBody = z
  .object({ signal: signalName, sandbox: z.unknown(), container: z.unknown() })
  .transform(({ signal, sandbox, container }, ctx) => {
    if ((sandbox === true) === (typeof container === 'string')) {
      ctx.addIssue({ code: 'custom', message: 'kill needs exactly one target: {"sandbox": true} or {"container": NAME}' });
      return z.NEVER;
    }
    return { signal, target: typeof container === 'string' ? { container } : ({ sandbox: true } as const) };
  });

export const SHUTDOWN_USAGE = 'expected {"stopPods": true|false}';
/** POST /shutdown: an empty body, or {"stopPods": boolean}. */
export const shutdownBody = z.object({ stopPods: z.boolean().optional() }).strict();

export const FAILPOINTS_USAGE = 'expected {"names": ["create/create-veth", …]}';
/** PUT /debug/failpoints (MINIPOD_DEBUG_API=1 only). */
export const failpointsBody = z.object({ names: z.array(z.string()) });

/** The upgrade to exec: the command as repeated argv= parameters. */
export const execArgv = z
  .array(z.string())
  .min(1, 'exec needs a command: minipod exec POD -- CMD [ARGS…]')
  .superRefine((argv, ctx) => {
    const bad = argv.findIndex((a) => a.includes('\0'));
    if (bad >= 0) ctx.addIssue({ code: 'custom', message: `argv[${bad}]: must not contain NUL (the kernel ends an argument at the first NUL)` });
  });

/** A query flag: only the literal "true" turns it on, as before. */
const flag = z
  .string()
  .optional()
  .transform((v) => v === 'true');

/** A terminal's rows or columns, as struct winsize holds them. */
const dimension = (name: string) => z.coerce.number({ invalid_type_error: `${name} must be a number` }).int(`${name} must be a whole number`).min(1, `${name} must be 1-65535`).max(0xffff, `${name} must be 1-65535`);

/** The upgrade to exec, beside argv: the container (the pod's first by default), and a terminal
 * (`tty=true`) with its size at the start. */
export const execQuery = z
  .object({ container: z.string().min(1, 'container must not be empty').optional(), tty: flag, rows: dimension('rows').optional(), cols: dimension('cols').optional() })
  .transform(({ container, tty, rows, cols }, ctx) => {
    if (tty && (rows === undefined || cols === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'tty=true needs the terminal size: rows and cols' });
      return z.NEVER;
    }
    return { container, tty: tty ? { rows: rows!, cols: cols! } : undefined };
  });

/** `logs`: tail a whole number (-1: all, as kubectl's default), sinceTime RFC 3339. */
export const logsQuery = z.object({
  container: z.string().optional(),
  follow: flag,
  previous: flag,
  timestamps: flag,
  prefix: flag,
  tail: z
    .string()
    .regex(/^-?\d+$/, 'tail must be a whole number of lines (-1 for all)')
    .transform(Number)
    .refine((n) => n >= -1, 'tail must be a whole number of lines (-1 for all)')
    .optional(),
  sinceTime: z
    .string()
    .refine((v) => parseSinceTime(v) !== undefined, 'sinceTime must be an RFC 3339 time, e.g. 2024-05-01T10:00:00Z')
    .transform((v) => parseSinceTime(v)!)
    .optional(),
});
export const eventsQuery = z.object({ pod: z.string().optional(), follow: flag });
export const removeQuery = z.object({ force: flag });

/** A query's first value of each key (URLSearchParams.get), as the schemas above read it. */
export function queryOf(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(query.keys())) out[key] = query.get(key)!;
  return out;
}

const port = (name: string, min: number) => z.number({ invalid_type_error: `${name} must be a number` }).int(`${name} must be a whole number`).min(min, `${name} must be ${min}-65535`).max(0xffff, `${name} must be ${min}-65535`);

/** POST /pods/NAME/portforward: IP addresses to listen on, LOCAL (0: a free one) → REMOTE pairs. */
export const portForwardBody = z
  .object({
    address: z.array(z.string().refine((a) => net.isIP(a) !== 0, (a) => ({ message: `address "${a}" is not an IP address` }))).min(1, 'address needs at least one IP address'),
    ports: z.array(z.object({ local: port('local port', 0), remote: port('remote port', 1) }).strict()).min(1, 'ports needs at least one LOCAL:REMOTE pair'),
  })
  .strict();
