// `minipod wait --for=condition=Ready|delete|jsonpath=… TYPE/NAME… | TYPE -l SELECTOR | TYPE --all
// [--timeout 30s]`, as kubectl wait, what scripts and tests use between steps: the objects are
// found first (a missing one is an error, but for delete), then asked after until each meets the
// condition, a line each as it does (`pod/web condition met`); the time out is exit 1 naming the
// ones that did not.
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import { MinipodError } from '../../lib/errors.js';
import { parseDuration } from '../../lib/logs/cri.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { client } from '../client.js';
import { fail, listQuery, SELECTOR_OPTION, usage, verb } from '../common.js';
import { KINDS, notFoundLine, parseTargets, type Target } from '../delete-targets.js';
import { deploymentObject } from '../output/deployment-object.js';
import { podObject } from '../output/pod-object.js';
import { nodeName } from '../output/pods.js';
import { meets, parseWaitFor, type WaitFor } from '../wait-for.js';

const POLL_MS = 100;

/** --timeout as ms, as kubectl wait takes it: 0 is one look, a negative one a week. */
export function waitTimeout(text: string): number {
  if (/^-/.test(text) && parseDuration(text.slice(1)) !== undefined) return 7 * 24 * 3_600_000;
  const ms = /^0+$/.test(text) ? 0 : parseDuration(text);
  if (ms === undefined) usage(`--timeout ${text}: give a duration such as 30s, 5m or 1h (0: look once)`);
  return ms;
}

interface Seen {
  target: Target;
  uid?: string;
  object?: unknown;
}

const path = (t: Target) => `/${t.kind}s/${encodeURIComponent(t.name)}`;
const shown = (t: Target) => `${t.kind === 'pod' ? 'pod' : 'deployment.apps'}/${t.name}`;

export const wait = verb<{ args: string[]; for?: string; timeout: string; selector?: string; all: boolean }>({
  command: 'wait <args..>',
  describe: 'Wait until pods or Deployments meet a condition (Ready, Available, delete, a jsonpath value), as kubectl wait',
  builder: (y) =>
    y
      .positional('args', { type: 'string', array: true, describe: 'TYPE/NAME…, TYPE NAME…, or TYPE with -l or --all (pod, deployment)' })
      .option('for', { type: 'string', describe: "delete, condition=NAME[=VALUE] or jsonpath='{…}'=VALUE" })
      .option('timeout', { type: 'string', default: '30s', describe: 'Give up after this long (0: look once)' })
      .option('selector', SELECTOR_OPTION)
      .option('all', { type: 'boolean', default: false, describe: 'Every object of the type' })
      .example('$0 wait --for=condition=Ready pod/web --timeout=60s', 'until web is ready')
      .example('$0 wait --for=condition=Available deployment/web', 'until every replica is')
      .example('$0 wait --for=delete pod -l app=web', 'until they are gone')
      .example("$0 wait --for=jsonpath='{.status.phase}'=Succeeded pod/job", 'until the job has run'),
  handler: async (argv) => {
    if (argv.for === undefined || Array.isArray(argv.for)) usage('wait needs one --for: --for=condition=Ready, --for=delete or --for=jsonpath=\'{.status.phase}\'=Running');
    let want: WaitFor;
    try {
      want = parseWaitFor(String(argv.for));
    } catch (err) {
      usage((err as Error).message);
    }
    const timeoutMs = waitTimeout(String([argv.timeout].flat().at(-1)));
    const args = argv.args.map(String);
    const listed = args.length === 1 ? KINDS[args[0]!] : undefined;
    if (listed && argv.selector === undefined && !argv.all) usage(`wait ${args[0]}: give names, -l SELECTOR or --all`);
    if (!listed && (argv.selector !== undefined || argv.all)) usage('wait: -l and --all go with a type alone (wait pods -l app=web)');
    const targets = listed ? undefined : parseTargets(args, 'wait');
    if (typeof targets === 'string') usage(targets);
    try {
      const api = client(argv);
      const look = async (t: Target): Promise<{ uid: string; object: unknown } | undefined> => {
        try {
          if (t.kind === 'pod') {
            const r = await api.request<PodRecord>('GET', path(t));
            return { uid: r.uid, object: podObject(r, nodeName()) };
          }
          const d = await api.request<DeploymentStatus>('GET', path(t));
          return { uid: d.uid, object: deploymentObject(d) };
        } catch (err) {
          if (err instanceof MinipodError && err.code === 'NOT_FOUND') return undefined;
          throw err;
        }
      };
      let seen: Seen[];
      if (listed) {
        const query = listQuery({ selector: argv.selector });
        const names = listed === 'pod'
          ? (await api.request<{ pods: PodRecord[] }>('GET', `/pods${query}`)).pods.map((p) => p.name)
          : (await api.request<{ deployments: DeploymentStatus[] }>('GET', `/deployments${query}`)).deployments.map((d) => d.name);
        if (!names.length) throw new MinipodError('NOT_FOUND', 'no matching resources found');
        seen = names.map((name) => ({ target: { kind: listed, name } }));
      } else seen = targets!.map((target) => ({ target }));
      for (const s of seen) {
        const got = await look(s.target);
        if (!got && want.kind !== 'delete') throw new MinipodError('NOT_FOUND', notFoundLine(s.target).replace(/^Error from server \(NotFound\): /, ''));
        Object.assign(s, got ?? {});
      }
      const deadline = Date.now() + timeoutMs;
      let left = seen;
      for (;;) {
        const still: Seen[] = [];
        for (const s of left) {
          const now = await look(s.target);
          // Deleted: gone, or another object of the name now (its uid not the one first seen).
          const met = want.kind === 'delete' ? !now || (s.uid !== undefined && now.uid !== s.uid) : !!now && meets(want, now.object);
          if (met) {
            // kubectl says nothing of one that was never there to delete.
            if (!(want.kind === 'delete' && s.uid === undefined)) process.stdout.write(`${shown(s.target)} condition met\n`);
          } else if (!now && want.kind !== 'delete') throw new MinipodError('NOT_FOUND', `${shown(s.target)} was deleted while waiting for its condition`);
          else still.push(s);
        }
        left = still;
        if (!left.length) return;
        if (Date.now() >= deadline) throw new MinipodError('UNAVAILABLE', `timed out waiting for the condition on ${left.map((s) => `${s.target.kind}s/${s.target.name}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } catch (err) {
      fail(err);
    }
  },
});
