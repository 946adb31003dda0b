// `minipod rollout status|restart deployment/NAME` (or `deployment NAME`), as kubectl rollout:
// status follows the Deployment until every replica runs its current template and is available,
// a line each time that changes; restart sets the template's restartedAt, so every pod is made
// again (Recreate: the old ones go first).
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import { MinipodError } from '../../lib/errors.js';
import { parseDuration } from '../../lib/logs/cri.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';
import { deploymentTarget, joinedTarget, rolloutStatus } from '../deployments.js';

const ACTIONS = ['status', 'restart'];
/** How often status asks while it waits (kubectl watches; the daemon has no watch of Deployments). */
const POLL_MS = 200;
/** Without --timeout, as kubectl with a Deployment's default progressDeadlineSeconds: give up after this long without progress. */
const PROGRESS_DEADLINE_MS = 600_000;

/** --timeout as ms (0: no limit), as Go's durations: 0, 30s, 5m, 1h30m. */
export function rolloutTimeout(text: string): number {
  const ms = /^0+$/.test(text) ? 0 : parseDuration(text);
  if (ms === undefined) usage(`--timeout ${text}: give a duration such as 30s, 5m or 1h (0: wait for as long as it takes)`);
  return ms;
}

export const rollout = verb<{ action: string; target: string; name?: string; timeout: string; watch: boolean }>({
  command: 'rollout <action> <target> [name]',
  describe: "A Deployment's rollout, as kubectl rollout: status (wait until it is done) or restart (make every pod again)",
  builder: (y) =>
    y
      .positional('action', { type: 'string', describe: 'status or restart' })
      .positional('target', { type: 'string', describe: 'deployment/NAME, or deployment followed by NAME' })
      .positional('name', { type: 'string', describe: "NAME, after deployment (kubectl's TYPE NAME)" })
      .option('timeout', { type: 'string', default: '0s', describe: 'status: give up after this long (30s, 5m); 0: once 600s pass without progress, as kubectl' })
      .option('watch', { alias: 'w', type: 'boolean', default: true, describe: 'status: wait for the rollout; --no-watch (-w=false): say where it stands and return' })
      .example('$0 rollout restart deployment/web', 'every pod of web made again')
      .example('$0 rollout status deployment/web --timeout 60s', 'wait until they are all available'),
  handler: async (argv) => {
    const action = String(argv.action);
    if (!ACTIONS.includes(action)) usage(`rollout ${action}: minipod's rollout has status and restart (a Deployment keeps no revisions to show or undo, and cannot be paused)`);
    const target = joinedTarget(`rollout ${action}`, String(argv.target), argv.name);
    const name = deploymentTarget(target);
    if (!name) usage(`rollout ${action} ${target}: give deployment/NAME (minipod rolls out Deployments only)`);
    const timeout = String([argv.timeout].flat().at(-1)); // given twice: the last, as yargs keeps both
    const timeoutMs = rolloutTimeout(timeout);
    try {
      const api = client(argv);
      const path = `/deployments/${encodeURIComponent(name)}`;
      if (action === 'restart') {
        const d = await api.request<DeploymentStatus>('POST', `${path}/restart`);
        return void process.stdout.write(`deployment.apps/${d.name} restarted\n`);
      }
      const deadline = timeoutMs ? Date.now() + timeoutMs : Infinity;
      let said = '';
      let progressed = Date.now();
      for (;;) {
        const { done, message } = rolloutStatus(await api.request<DeploymentStatus>('GET', path));
        if (message !== said) {
          process.stdout.write(`${message}\n`);
          progressed = Date.now();
        }
        said = message;
        if (done || !argv.watch) return;
        const look = `see \`minipod describe deployment ${name}\` and \`minipod get pods\``;
        if (Date.now() > deadline) throw new MinipodError('UNAVAILABLE', `deployment ${name}: the rollout did not finish in ${timeout}: ${look}`);
        if (!timeoutMs && Date.now() - progressed > PROGRESS_DEADLINE_MS) throw new MinipodError('UNAVAILABLE', `deployment "${name}" exceeded its progress deadline (no progress in ${PROGRESS_DEADLINE_MS / 1000}s, kubectl's default): ${look}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } catch (err) {
      fail(err);
    }
  },
});
