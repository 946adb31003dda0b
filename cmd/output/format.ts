// `-o` as kubectl takes it: wide, json, yaml, name, jsonpath=TEMPLATE (checked before any request).
import { MinipodError } from '../../lib/errors.js';
import { parseTemplate, type Template } from './jsonpath.js';

export type OutputFormat =
  | { kind: 'table'; noHeaders?: boolean }
  | { kind: 'wide'; noHeaders?: boolean }
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'name' }
  | { kind: 'jsonpath'; template: Template };

const KINDS = ['wide', 'json', 'yaml', 'name'] as const;

/** The format `-o VALUE` asks for (none: the table); an unknown value or bad template is an error. */
export function parseOutput(value: string | undefined): OutputFormat {
  if (value === undefined) return { kind: 'table' };
  if ((KINDS as readonly string[]).includes(value)) return { kind: value as (typeof KINDS)[number] };
  const jsonpath = /^jsonpath=(.*)$/s.exec(value);
  if (jsonpath) {
    if (!jsonpath[1]) throw new MinipodError('INVALID_ARGUMENT', '-o jsonpath= needs a template, such as -o jsonpath=\'{.status.podIP}\'');
    return { kind: 'jsonpath', template: parseTemplate(jsonpath[1]) };
  }
  if (value === 'jsonpath') throw new MinipodError('INVALID_ARGUMENT', '-o jsonpath needs a template after "=", such as -o jsonpath=\'{.status.podIP}\'');
  throw new MinipodError('INVALID_ARGUMENT', `-o ${JSON.stringify(value)} is not an output format: use wide, json, yaml, name or jsonpath=TEMPLATE`);
}

/** The yargs option every `-o` verb declares. */
export const OUTPUT_OPTION = {
  alias: 'o',
  type: 'string',
  describe: 'Output format: wide, json, yaml, name or jsonpath=TEMPLATE (as kubectl)',
} as const;

/**
 * kubectl's glued forms, -ojson, -owide, -ojsonpath=…, as `-o VALUE`: yargs would read -ojson as
 * the short flags -o -j -s -o -n; and --no-headers=true|false. Only before `--` (what follows is a
 * command's own argv).
 */
export function splitOutputFlag(args: string[]): string[] {
  const end = args.indexOf('--');
  const flags = end < 0 ? args : args.slice(0, end);
  const rest = end < 0 ? [] : args.slice(end);
  return [...flags.flatMap((a) => (/^-o[^=]/.test(a) ? ['-o', a.slice(2)] : [a])).map(noHeaders), ...rest];
}

/** kubectl's --no-headers=true|false, which yargs would read as an unknown `no-headers` flag: its negation of --headers, or --headers. */
const noHeaders = (a: string): string => (a === '--no-headers=true' ? '--no-headers' : a === '--no-headers=false' ? '--headers' : a);
