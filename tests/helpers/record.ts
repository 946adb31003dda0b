// A pod record as the daemon writes it for a running pod, for unit tests of the store: valid by
// record-check.ts (its program resolved on this machine, its logs under stateDir).
import path from 'node:path';
import { findExecutable } from '../../lib/os/tools.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { DEFAULT_PATH } from '../../lib/manifest/command.js';

/** Where `sleep` resolves here, as creation would resolve it. */
export const SLEEP = (await findExecutable('sleep', DEFAULT_PATH))!;
export const UID = 'V1StGXR8_Z5jdHi6B-myT';

export function validRecord(stateDir: string, name = 'web'): PodRecord {
  return {
    name,
    namespace: 'default',
    uid: UID,
    createdAt: '2024-01-01T00:00:00.000Z',
    phase: 'Running',
    message: null,
    ip: '10.88.0.2',
    prefix: 16,
    gateway: '10.88.0.1',
    mac: '0a:58:0a:58:00:02',
    bridge: 'minipod0',
    sandbox: { pid: 1234, startTime: '5678', netns: 'net:[4026532000]', attempt: 0, hostVeth: 'mpabcdefghij', createdAt: '2024-01-01T00:00:01.000Z' },
    building: null,
    deletionTimestamp: null,
    containers: [
      {
        name: 'app',
        state: 'Running',
        ready: true,
        pid: 1240,
        startTime: '5679',
        netns: 'net:[4026532000]',
        restartCount: 0,
        startedAt: '2024-01-01T00:00:02.000Z',
        finishedAt: null,
        exitCode: null,
        signal: null,
        reason: null,
        lastState: null,
        crashes: 0,
        restartAt: null,
        argv: [SLEEP, 'infinity'],
        logPath: path.join(stateDir, 'logs', name, 'app.log'),
      },
    ],
    conditions: [],
    manifest: {
      metadata: { name, namespace: 'default' },
      spec: { restartPolicy: 'Always', sandboxDeathPolicy: 'Recreate', terminationGracePeriodSeconds: 30, shareProcessNamespace: false, containers: [{ name: 'app', command: ['sleep'], args: ['infinity'], env: [], ports: [] }] },
    },
    timings: { sandboxMs: 12.5, appsMs: 40.1 },
    lastRecovery: null,
  };
}
