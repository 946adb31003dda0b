// Label selectors as kubectl writes them (`-l app=web,tier!=db`): the equality forms `a=b`, `a==b`,
// `a!=b`, the set forms `a in (x,y)`, `a notin (x)`, `a` (has the label) and `!a` (has it not);
// a comma is AND. Parsed once into requirements, matched against a pod's labels. Deployment
// selectors (matchLabels) are the equality form of the same thing: matchLabelsSelector.
import { MinipodError } from '../errors.js';
import { LABEL_KEY, LABEL_VALUE } from './names.js';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };
export type Selector = Requirement[];

const SET = /^(!?)\s*([^\s!=(),]+)\s*(?:(notin|in)\s*\(([^()]*)\))?$/;
const EQUALITY = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;

/** The requirements of text, or INVALID_ARGUMENT naming the selector and the part that is wrong. */
export function parseSelector(text: string): Selector {
  const bad = (why: string) => new MinipodError('INVALID_ARGUMENT', `invalid label selector ${JSON.stringify(text)}: ${why}: write KEY=VALUE, KEY!=VALUE, KEY in (V1,V2), KEY notin (V1), KEY or !KEY, joined by ","`);
  const out: Selector = [];
  for (const part of splitTopLevel(text, bad)) {
    const term = part.trim();
    if (!term) throw bad('an empty requirement');
    const eq = EQUALITY.exec(term);
    const set = eq ? null : SET.exec(term);
    if (!eq && !set) throw bad(`cannot read ${JSON.stringify(term)}`);
    const key = eq ? eq[1]! : set![2]!;
    if (!LABEL_KEY.test(key)) throw bad(`${JSON.stringify(key)} is not a label key`);
    const values = eq ? [eq[3]!] : set![4] !== undefined ? set![4].split(',').map((v) => v.trim()) : [];
    for (const v of values) if (!LABEL_VALUE.test(v)) throw bad(`${JSON.stringify(v)} is not a label value`);
    if (eq) out.push({ key, op: eq[2] === '!=' ? 'notin' : 'in', values });
    else if (set![3]) {
      if (set![1]) throw bad(`"!" goes with a key alone, not with ${set![3]}`);
      out.push({ key, op: set![3] as 'in' | 'notin', values });
    } else out.push({ key, op: set![1] ? '!exists' : 'exists' });
  }
  return out;
}

/** Commas outside parentheses: `a in (x,y),b` is two requirements. */
function splitTopLevel(text: string, bad: (why: string) => Error): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth < 0) throw bad('a ")" without its "("');
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw bad('a "(" without its ")"');
  parts.push(text.slice(start));
  return parts;
}

/** Whether labels satisfy every requirement (`a!=b` and `notin` also match a pod without the label, as in Kubernetes). */
export function matches(selector: Selector, labels: Record<string, string> | undefined = {}): boolean {
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists': return has;
      case '!exists': return !has;
      case 'in': return has && r.values.includes(labels[r.key]!);
      case 'notin': return !has || !r.values.includes(labels[r.key]!);
    }
  });
}

/** A Deployment's spec.selector.matchLabels as a selector: every label, equal. */
export function matchLabelsSelector(matchLabels: Record<string, string>): Selector {
  return Object.entries(matchLabels).map(([key, value]) => ({ key, op: 'in', values: [value] }));
}
