// What `minipod wait --for=…` waits for, as kubectl wait reads it: `delete`, `condition=TYPE`
// (`condition=TYPE=VALUE`; True by default; type and value matched without regard to case), or
// `jsonpath='{.status.phase}'=VALUE` (a template's text equal to VALUE; without `=VALUE`, any
// text). Checked against the object kubectl would get (the Pod, the apps/v1 Deployment). Pure.
import { MinipodError } from '../lib/errors.js';
import { parseTemplate, renderTemplate, type Template } from './output/jsonpath.js';

export type WaitFor = { kind: 'delete' } | { kind: 'condition'; type: string; value: string } | { kind: 'jsonpath'; template: Template; value?: string };

const USAGE = 'give --for=delete, --for=condition=NAME[=VALUE] (Ready, Available…) or --for=jsonpath=\'{.status.phase}\'=VALUE';

export function parseWaitFor(text: string): WaitFor {
  if (text.toLowerCase() === 'delete') return { kind: 'delete' };
  const condition = /^condition=([^=]+)(?:=(.*))?$/s.exec(text);
  if (condition) {
    if (condition[2] === '') throw new MinipodError('INVALID_ARGUMENT', `--for=${text}: give a value after "=", or none for True`);
    return { kind: 'condition', type: condition[1]!, value: condition[2] ?? 'True' };
  }
  const jsonpath = /^jsonpath=(.*)$/s.exec(text);
  if (jsonpath) {
    // The template is what lies within its outer braces; `=VALUE` may follow the last one.
    const src = jsonpath[1]!.replace(/^'(\{.*\})'(?==|$)/s, '$1'); // quotes a shell did not take away
    const end = src.lastIndexOf('}');
    if (!src.startsWith('{') || end < 0) throw new MinipodError('INVALID_ARGUMENT', `--for=${text}: the template goes in braces: --for=jsonpath='{.status.phase}'=Running`);
    const rest = src.slice(end + 1);
    if (rest && !rest.startsWith('=')) throw new MinipodError('INVALID_ARGUMENT', `--for=${text}: after the template, "=VALUE" or nothing`);
    return { kind: 'jsonpath', template: parseTemplate(src.slice(0, end + 1), '--for=jsonpath'), ...(rest ? { value: rest.slice(1) } : {}) };
  }
  throw new MinipodError('INVALID_ARGUMENT', `--for=${text}: ${USAGE}`);
}

/** Does the object meet it (delete: the caller's to say, from the object's absence). */
export function meets(want: Exclude<WaitFor, { kind: 'delete' }>, object: unknown): boolean {
  if (want.kind === 'jsonpath') {
    const text = renderTemplate(want.template, object);
    return want.value === undefined ? text !== '' : text === want.value;
  }
  const conditions = ((object as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? []);
  return conditions.some((c) => c.type.toLowerCase() === want.type.toLowerCase() && c.status.toLowerCase() === want.value.toLowerCase());
}
