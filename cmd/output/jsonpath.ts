// kubectl's `-o jsonpath=TEMPLATE` (client-go's util/jsonpath), the part people type: literal text,
// {.a.b}, {$.a}, {@}, [N], [a:b], [*], .*, ['key'], ..name, [?(@.x=="y")], {range EXPR}…{end},
// {"\n"}, and \n \t escapes in text. No npm library speaks this template syntax on Node 20
// (jsonpath-plus, a plain JSONPath engine, needs Node 22). A missing key prints nothing, as with
// kubectl's --allow-missing-template-keys (its default). `inspect --format` uses the same engine
// with Go template delimiters: {{.sandbox.pid}}, {{json .containers}}, {{range .x}}…{{end}}.
// Parser and evaluator are one file: both follow the one grammar (Step, Path, Node) below.
import { MinipodError } from '../../lib/errors.js';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'all' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number }
  | { kind: 'recurse'; name: string | null } // ..name; null: ..*
  | { kind: 'filter'; left: Path; op?: string; right?: Path | { value: unknown } };
interface Path { root: boolean; steps: Step[] }
type Node = { text: string } | { path: Path; json?: boolean } | { range: Path; body: Node[] };
export interface Template { nodes: Node[] }

const DELIMS = { jsonpath: ['{', '}'], go: ['{{', '}}'] } as const;

/** Parse a template; a malformed one is an INVALID_ARGUMENT naming the flag and what is wrong. */
export function parseTemplate(src: string, flag = '-o jsonpath', syntax: keyof typeof DELIMS = 'jsonpath'): Template {
  const bad = (why: string) => new MinipodError('INVALID_ARGUMENT', `${flag}: ${why} in template ${JSON.stringify(src)}: write fields as ${syntax === 'go' ? '{{.sandbox.pid}}' : '{.status.podIP}, {.items[*].metadata.name} or {range .items[*]}{.metadata.name}{"\\n"}{end}'}`);
  const [open, close] = DELIMS[syntax];
  const frames: { range?: Path; body: Node[] }[] = [{ body: [] }];
  let text = '';
  const flush = () => void (text && frames[frames.length - 1]!.body.push({ text }), (text = ''));
  for (let i = 0; i < src.length; ) {
    if (src.startsWith(open, i)) {
      flush();
      const end = closing(src, i + open.length, close);
      if (end < 0) throw bad(`"${open}" at offset ${i} is never closed`);
      const action = src.slice(i + open.length, end).trim();
      i = end + close.length;
      const body = frames[frames.length - 1]!.body;
      if (action === 'end') {
        const done = frames.pop()!;
        if (!done.range) throw bad('"end" without a "range"');
        frames[frames.length - 1]!.body.push({ range: done.range, body: done.body });
      } else if (/^range\s/.test(action)) frames.push({ range: parsePath(action.slice(6).trim(), bad), body: [] });
      else if (/^(["']).*\1$/s.test(action)) body.push({ text: unquote(action) });
      else if (syntax === 'go' && /^json\s/.test(action)) body.push({ path: parsePath(action.slice(5).trim(), bad), json: true });
      else if (action === '') throw bad(`an empty "${open}${close}"`);
      else body.push({ path: parsePath(action, bad) });
    } else if (src.startsWith(close, i)) {
      throw bad(`"${close}" at offset ${i} closes nothing`);
    } else if (src[i] === '\\' && i + 1 < src.length && ESCAPES[src[i + 1]!] !== undefined) {
      text += ESCAPES[src[i + 1]!];
      i += 2;
    } else text += src[i++];
  }
  flush();
  if (frames.length > 1) throw bad('a "range" without its "end"');
  return { nodes: frames[0]!.body };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '{': '{', '}': '}' };

/** Where the action opened before `from` closes: the first `close` outside quotes and brackets. */
function closing(src: string, from: number, close: string): number {
  let quote: string | null = null;
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const ch = src[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (depth === 0 && src.startsWith(close, i)) return i;
    else if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
  }
  return -1;
}

function unquote(s: string): string {
  return s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

function parsePath(p: string, bad: (why: string) => Error): Path {
  const path: Path = { root: p.startsWith('$'), steps: [] };
  let i = p.startsWith('$') || p.startsWith('@') ? 1 : 0;
  if (p === '.') return path; // the current object
  const name = () => {
    let out = '';
    while (i < p.length && p[i] !== '.' && p[i] !== '[') {
      if (p[i] === '\\' && i + 1 < p.length) i++; // \. in a key such as kubernetes\.io/name
      out += p[i++];
    }
    return out;
  };
  while (i < p.length) {
    if (p.startsWith('..', i)) {
      i += 2;
      if (p[i] === '*') {
        i++;
        path.steps.push({ kind: 'recurse', name: null });
      } else {
        const n = name();
        if (!n) throw bad(`a name is missing after ".." in "${p}"`);
        path.steps.push({ kind: 'recurse', name: n });
      }
    } else if (p[i] === '.') {
      i++;
      if (p[i] === '*') {
        i++;
        path.steps.push({ kind: 'all' });
      } else {
        const n = name();
        if (!n) throw bad(`a field name is missing after "." in "${p}"`);
        if (/\s/.test(n)) throw bad(`"${n}" is not a field name (a function or a missing "range"?)`);
        path.steps.push({ kind: 'field', name: n });
      }
    } else if (p[i] === '[') {
      const end = closing(p, i + 1, ']');
      if (end < 0) throw bad(`"[" is never closed in "${p}"`);
      path.steps.push(bracket(p.slice(i + 1, end).trim(), bad));
      i = end + 1;
    } else throw bad(`unexpected "${p[i]}" in "${p}" (fields start with ".")`);
  }
  return path;
}

function bracket(inner: string, bad: (why: string) => Error): Step {
  if (inner === '*') return { kind: 'all' };
  if (/^(["']).*\1$/s.test(inner)) return { kind: 'field', name: unquote(inner) };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const slice = /^(-?\d+)?:(-?\d+)?$/.exec(inner);
  if (slice) return { kind: 'slice', ...(slice[1] ? { start: Number(slice[1]) } : {}), ...(slice[2] ? { end: Number(slice[2]) } : {}) };
  const filter = /^\?\((.*)\)$/s.exec(inner);
  if (!filter) throw bad(`"[${inner}]" is not an index, a slice, * or a filter ?(…)`);
  const m = /^(.*?)\s*(==|!=|<=|>=|<|>)\s*(.*)$/s.exec(filter[1]!.trim());
  if (!m) return { kind: 'filter', left: parsePath(filter[1]!.trim(), bad) };
  return { kind: 'filter', left: parsePath(m[1]!, bad), op: m[2]!, right: operand(m[3]!, bad) };
}

function operand(s: string, bad: (why: string) => Error): Path | { value: unknown } {
  if (s.startsWith('@') || s.startsWith('$')) return parsePath(s, bad);
  if (/^(["']).*\1$/s.test(s)) return { value: unquote(s) };
  if (s === 'true' || s === 'false' || s === 'null' || (s !== '' && !Number.isNaN(Number(s)))) return { value: JSON.parse(s) as unknown };
  throw bad(`"${s}" is not a value to compare with (quote strings: "Running")`);
}

/** Render the template against an object: each field's values joined by a space, as kubectl does. */
export function renderTemplate(t: Template, root: unknown): string {
  return render(t.nodes, root, root);
}

function render(nodes: Node[], current: unknown, root: unknown): string {
  let out = '';
  for (const n of nodes) {
    if ('text' in n) out += n.text;
    else if ('path' in n) out += evaluate(n.path, current, root).map((v) => format(v, n.json)).join(' ');
    else {
      const values = evaluate(n.range, current, root);
      // {range .items} iterates the list itself, {range .items[*]} its elements: the same items.
      const items = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
      for (const item of items) out += render(n.body, item, root);
    }
  }
  return out;
}

function format(v: unknown, json = false): string {
  if (!json && typeof v === 'string') return v;
  return JSON.stringify(v) ?? '';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const children = (v: unknown): unknown[] => (Array.isArray(v) ? v : isObject(v) ? Object.values(v) : []);

function evaluate(path: Path, current: unknown, root: unknown): unknown[] {
  let values = [path.root ? root : current];
  for (const step of path.steps) values = values.flatMap((v) => apply(step, v, root));
  return values;
}

function apply(step: Step, v: unknown, root: unknown): unknown[] {
  switch (step.kind) {
    case 'field':
      return isObject(v) && !Array.isArray(v) && Object.hasOwn(v, step.name) ? [v[step.name]] : [];
    case 'all':
      return children(v);
    case 'index': {
      if (!Array.isArray(v)) return [];
      const i = step.index < 0 ? v.length + step.index : step.index;
      return i >= 0 && i < v.length ? [v[i]] : [];
    }
    case 'slice':
      return Array.isArray(v) ? v.slice(step.start, step.end) : [];
    case 'recurse':
      return descendants(v).flatMap((d) => (step.name === null ? children(d) : apply({ kind: 'field', name: step.name }, d, root)));
    case 'filter':
      return children(v).filter((item) => matches(step, item, root));
  }
}

function descendants(v: unknown): unknown[] {
  return [v, ...children(v).flatMap(descendants)];
}

function matches(step: Extract<Step, { kind: 'filter' }>, item: unknown, root: unknown): boolean {
  const [left] = evaluate(step.left, item, root);
  if (!step.op) return left !== undefined && left !== false && left !== null;
  const right = step.right && 'value' in step.right ? step.right.value : step.right ? evaluate(step.right, item, root)[0] : undefined;
  if (left === undefined) return false;
  switch (step.op) {
    case '==': return left === right;
    case '!=': return left !== right;
    case '<': return (left as number) < (right as number);
    case '<=': return (left as number) <= (right as number);
    case '>': return (left as number) > (right as number);
    default: return (left as number) >= (right as number);
  }
}
