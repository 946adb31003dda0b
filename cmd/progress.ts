// The waits that take seconds (run until ready, rm -f / stop / delete through a grace period) say
// what they wait for with a spinner on stderr (ora), on a terminal only: when stdout or stderr is
// piped or redirected, or TERM is dumb (no cursor movement), nothing is added to either stream, and
// ora is not even loaded. ora's own test is not used: it also turns the spinner into a printed
// `- text` line whenever a CI variable is set, which left that line on a CI runner's terminal.
import type { ApiClient } from '../lib/api/client.js';
import type { PodRecord } from '../lib/pod/types.js';

export const onTerminal = (): boolean => Boolean(process.stdout.isTTY && process.stderr.isTTY && process.env.TERM !== 'dumb');

/** Run work with a spinner saying text (which work may change as it learns more), cleared after. */
export async function withProgress<T>(text: string | (() => Promise<string>), work: (say: (text: string) => void) => Promise<T>): Promise<T> {
  if (!onTerminal()) return work(() => {});
  const [{ default: ora }, first] = await Promise.all([import('ora'), typeof text === 'string' ? text : text()]);
  // discardStdin off: ora would put stdin in raw mode, and Ctrl-C must stay the terminal's.
  const spinner = ora({ text: first, stream: process.stderr, discardStdin: false, isEnabled: true }).start();
  try {
    return await work((t) => void (spinner.text = t));
  } finally {
    spinner.stop();
  }
}

/** What stopping a pod waits for: its containers' exit, at most its grace period (then SIGKILL). */
export async function stoppingText(api: ApiClient, name: string): Promise<string> {
  const pod = await api.request<PodRecord>('GET', `/pods/${encodeURIComponent(name)}`).catch(() => undefined);
  if (!pod || pod.phase !== 'Running') return `pod/${name}: removing`;
  const grace = pod.manifest.spec.terminationGracePeriodSeconds;
  return `pod/${name}: stopping ${pod.containers.map((c) => c.name).join(', ')} (SIGTERM, then SIGKILL after the grace period of ${grace}s)`;
}

/** What run waits for: the containers not ready yet (running and, where declared, listening or probed). */
export const readinessText = (name: string, waiting: string[]): string => `pod/${name}: waiting for ${waiting.length ? waiting.join(', ') : 'its containers'} to be ready`;
