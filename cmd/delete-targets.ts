// What `minipod delete` is asked to remove, read as kubectl reads it: `pod A B`, `pods A`,
// `deployment NAME`, `pod/A deployment/B`; a bare name has no kind and is refused.
export type Kind = 'pod' | 'deployment';
export interface Target {
  kind: Kind;
  name: string;
  /** Its own namespace (from a file, or -l's listing); -n's otherwise. */
  namespace?: string;
}

export const KINDS: Record<string, Kind> = { pod: 'pod', pods: 'pod', po: 'pod', deployment: 'deployment', deployments: 'deployment', deploy: 'deployment', 'deployment.apps': 'deployment', 'deployments.apps': 'deployment' };

/** The targets, or a usage message saying what to write (`verb`: delete, or wait, which reads them alike). */
export function parseTargets(args: string[], verb = 'delete'): Target[] | string {
  if (!args.length) return 'give what to delete: `delete pod NAME…`, `delete deployment NAME…`, `delete TYPE/NAME…` or `delete -f FILE`';
  const [first, ...rest] = args as [string, ...string[]];
  const kind = KINDS[first];
  if (kind) {
    if (!rest.length) return `${verb} ${first}: give the name of at least one ${kind}`;
    const bad = rest.find((n) => n.includes('/'));
    if (bad) return `${verb} ${first} ${bad}: give names only after a type, or TYPE/NAME without one`;
    return rest.map((name) => ({ kind, name }));
  }
  const out: Target[] = [];
  for (const arg of args) {
    const slash = arg.indexOf('/');
    const k = slash > 0 ? KINDS[arg.slice(0, slash)] : undefined;
    if (slash < 0) return `${verb} ${arg}: say what it is: \`minipod ${verb} pod ${arg}\` or \`minipod ${verb} deployment ${arg}\``;
    if (!k || slash === arg.length - 1) return `${verb} ${arg}: expected TYPE/NAME, TYPE one of pod, deployment (or their short names po, deploy)`;
    out.push({ kind: k, name: arg.slice(slash + 1) });
  }
  return out;
}

/** kubectl's words: `pod "web" deleted`, and the resource of `Error from server (NotFound): pods "x" not found`. */
export const deletedLine = (t: Target) => `${t.kind === 'pod' ? 'pod' : 'deployment.apps'} "${t.name}" deleted`;
export const notFoundLine = (t: Target) => `Error from server (NotFound): ${t.kind === 'pod' ? 'pods' : 'deployments.apps'} "${t.name}" not found`;
