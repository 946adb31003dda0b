// An app (container) process: started inside a sandbox's namespaces by nsenter, which execs the
// app in place, so the pid we get is the app's pid and its exit reaches us as a child's exit.
import path from 'node:path';
import { MinipodError } from '../errors.js';
import { spawnProcess, type Proc } from '../os/host.js';
import { inPodNamespaces } from './nsenter.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface AppLaunch {
  sandboxPid: number;
  argv: string[]; // command + args, argv[0] already resolved to an absolute path
  env: Record<string, string>;
  cwd: string;
  logFd: number; // stdout and stderr both go to the app's log file
  /** Wraps the argv so the app starts inside its pod's cgroup (cgroups/pods.ts `wrap`). */
  inCgroup: (argv: string[]) => string[];
}

export function startApp(launch: AppLaunch): Proc {
  if (!path.isAbsolute(launch.argv[0] ?? '')) {
    throw new MinipodError('INTERNAL', `app command must be resolved first: ${launch.argv[0]}`);
  }
  return spawnProcess(launch.inCgroup(inPodNamespaces(launch.sandboxPid, launch.argv)), {
    stdio: ['ignore', launch.logFd, launch.logFd],
    env: launch.env,
    cwd: launch.cwd,
  });
}
