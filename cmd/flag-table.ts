// A verb's flags as a table, read two ways: yargs builds the verb from it (with --help), and
// parseFlags reads the lines it is sure of without yargs, for the processes that start often and
// are waited for (issue 13): a node's daemon, `minipod node start|restart|stop`. One table, so both
// take the same names, types and defaults.
import type { Argv } from 'yargs';

export interface Flag {
  type: 'string' | 'boolean';
  default?: string | boolean;
  describe: string;
  /** Set by minipod itself, not typed by a person: left out of --help. */
  hidden?: boolean;
}

export type FlagTable = Readonly<Record<string, Flag>>;

type Value<F> = F extends { type: 'boolean' } ? boolean : string;

/** A line's flags, parsed: a flag with a default always has a value. */
export type Parsed<T extends FlagTable> = { -readonly [K in keyof T]: T[K] extends { default: unknown } ? Value<T[K]> : Value<T[K]> | undefined };

/** The table's flags as yargs options, in the table's order. */
export function withFlags<T>(y: Argv<T>, table: FlagTable): Argv<T> {
  return Object.entries(table).reduce((b, [name, flag]) => b.option(name, flag), y);
}

/**
 * The flags of args (what follows the verb's words), or undefined if this parser is not sure of
 * them: each flag once, as --name VALUE, --name=VALUE or (a boolean) a bare --name, and nothing
 * else. yargs takes the rest: --help, --no-NAME, a repeated flag, a value that starts with "-" or
 * is quoted, a global flag, a positional.
 */
export function parseFlags<T extends FlagTable>(args: readonly string[], table: T): Parsed<T> | undefined {
  const given: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(args[i]!);
    const name = m?.[1];
    if (!name || !Object.hasOwn(table, name) || Object.hasOwn(given, name)) return undefined;
    const inline = m[2];
    if (table[name]!.type === 'boolean') {
      if (inline !== undefined) return undefined;
      given[name] = true;
      continue;
    }
    const value = inline ?? args[++i];
    // yargs takes the quotes off a value that has them both ends ("--dir='/x'" from a script).
    if (value === undefined || value.startsWith('-') || /^(["']).*\1$/s.test(value)) return undefined;
    given[name] = value;
  }
  const defaults = Object.fromEntries(Object.entries(table).flatMap(([name, flag]) => (flag.default !== undefined ? [[name, flag.default]] : [])));
  return { ...defaults, ...given } as Parsed<T>;
}
