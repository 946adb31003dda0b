// Every API route as one small handler: check the request against its schema (schemas.ts), call
// one service, return what it gives. Status codes come from the error codes (MinipodError.status).
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { spawnCount } from '../os/host.js';
import { armedFailpoints, armFailpoints } from '../failpoints.js';
import { MinipodError } from '../errors.js';
import type { DeploymentController } from '../deploy/controller.js';
import type { ImageStore } from '../image/store.js';
import type { PodManager } from '../pod/manager.js';
import { containerEnded } from '../pod/completion.js';
import { allContainers } from '../pod/init-status.js';
import type { HolderPool } from '../sandbox/pool.js';
import type { EventLog, PodEvent } from '../supervisor/events.js';
import type { Topology } from '../topology/model.js';
import type { PodTop, Stats } from './protocol.js';
import type { Handoff } from '../store/handoff.js';
import { check, failpointsBody, portForwardBody, nameParam, FAILPOINTS_USAGE, jsonObject, killBody, logsQuery, queryOf, removeQuery, shutdownBody, SHUTDOWN_USAGE } from './schemas.js';
import { deploymentRoutes } from './deployment-routes.js';
import { keyParam, podBody, podFilter } from './scope.js';
import { imageRoutes } from './image-routes.js';
import { previousLogPath } from '../logs/files.js';
import { streamLog } from './log-follow.js';
import { streamEvents } from './streams.js';
import { streamPortForward } from './port-forward.js';
import { asksForTable } from '../pod/table.js';

export interface Ctx {
  req: IncomingMessage;
  body: Buffer;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
}
type Handler = (ctx: Ctx) => Promise<unknown>;
/**
 * streamBody: the handler reads `req` itself (an image archive of gigabytes); `body` is empty.
 * open: for this query the answer has no end of its own (`logs -f`, `events -f`, port-forward): a
 * shutdown does not wait for it to be sent, and closes it (ApiServer.answered).
 */
export type Route = [method: string, path: RegExp, handler: Handler, options?: { streamBody?: boolean; open?: (query: URLSearchParams) => boolean }];

/** follow=true, as the `flag` of schemas.ts reads it. */
const following = (query: URLSearchParams): boolean => query.get('follow') === 'true';
/** `logs -f` but of the run before (-p): that file is written no more, so the answer ends. */
const followingLog = (query: URLSearchParams): boolean => following(query) && query.get('previous') !== 'true';

export interface ApiDeps {
  pods: PodManager;
  deployments: DeploymentController;
  images: ImageStore;
  /** The pods whose containers use an image, by ID: `image rm` is refused while there are any. */
  imageUsers: (id: string) => string[];
  pool: HolderPool;
  events: EventLog;
  /** The node as the kernel shows it, set against the records (lib/topology). */
  topology(): Promise<Topology>;
  /** Stop the daemon once `after` settles (the reply is sent); with stopPods, every pod first.
   * False if a shutdown is already under way. */
  shutdown(stopPods: boolean, after: Promise<unknown>): boolean;
  /** What this daemon vouches for to the one replacing it (store/handoff.ts); undefined if it cannot. */
  handoff(): Handoff | undefined;
}

/** A pod name from a path segment: percent-decoded, then a DNS-1123 label. */
export const podName = (raw: string | undefined): string => nameParam(raw, 'pod');

export function apiRoutes({ pods, deployments, events, pool, shutdown, handoff, images, imageUsers, topology }: ApiDeps): Route[] {
  const routes: Route[] = [
    ['GET', /^\/health$/, async () => ({ ok: true, pid: process.pid })],
    ['GET', /^\/stats$/, async (): Promise<Stats> => {
      const m = process.memoryUsage();
      return { spawns: spawnCount(), pods: pods.list().length, removing: pods.removing(), housekeeping: pods.housekeepingPending(), rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers, events: events.size, spareHolderPids: await pool.sparePids() };
    }],
    // kubectl's Accept …;as=Table asks for the rows a listing prints (lib/pod/table.ts), not the records.
    ['GET', /^\/pods$/, async ({ req, query }) => (asksForTable(req.headers.accept) ? pods.table(podFilter(query)) : { pods: await pods.listObserved(podFilter(query)) })],
    ['POST', /^\/pods$/, async ({ body, query, res }) => {
      const pod = await pods.create(podBody(body, query));
      res.statusCode = 201;
      return pod;
    }],
    ['GET', /^\/pods\/([^/]+)$/, async ({ params, query }) => pods.inspect(keyParam(params[0], query))],
    // apply: created (201), unchanged or configured (replaced), as lib/pod/apply.ts decides.
    ['PUT', /^\/pods\/([^/]+)$/, async ({ body, params, query, res }) => {
      const manifest = podBody(body, query);
      if (manifest.metadata.name !== podName(params[0])) throw new MinipodError('INVALID_ARGUMENT', `metadata.name "${manifest.metadata.name}" is not the pod of the path (${params[0]})`);
      const applied = await pods.apply(manifest);
      if (applied.result === 'created') res.statusCode = 201;
      return applied;
    }],
    ['GET', /^\/pods\/([^/]+)\/top$/, async ({ params, query }): Promise<PodTop> => {
      return { pod: podName(params[0]), containers: await pods.top(keyParam(params[0], query)) };
    }],
    ['POST', /^\/pods\/([^/]+)\/stop$/, async ({ params, query }) => pods.stop(keyParam(params[0], query))],
    ['DELETE', /^\/pods\/([^/]+)$/, async ({ params, query }) => {
      await pods.remove(keyParam(params[0], query), check(removeQuery, queryOf(query)).force);
      return { removed: params[0] };
    }],
    ['POST', /^\/pods\/([^/]+)\/kill$/, async ({ body, params, query }) => {
      const { signal, target } = check(killBody, jsonObject(body));
      return pods.kill(keyParam(params[0], query), target, signal);
    }],
    ['GET', /^\/pods\/([^/]+)\/logs$/, async ({ params, query, res }) => streamPodLog(pods, events, keyParam(params[0], query), query, res), { open: followingLog }],
    // port-forward: listeners held while this request stays open (lib/api/port-forward.ts).
    ['POST', /^\/pods\/([^/]+)\/portforward$/, async ({ body, params, query, res }) => streamPortForward(pods, events, keyParam(params[0], query), check(portForwardBody, jsonObject(body)), res), { open: () => true }],
    ['GET', /^\/events$/, async ({ query, res }) => streamEvents(events, query, res), { open: following }],
    ['GET', /^\/topology$/, async () => topology()],
    ['GET', /^\/gc$/, async () => ({ orphans: await pods.gc(false) })],
    ['POST', /^\/gc$/, async () => ({ orphans: await pods.gc(true) })],
    ['POST', /^\/shutdown$/, async ({ body, res }) => {
      const { stopPods = false } = check(shutdownBody, body.length ? jsonObject(body) : {}, SHUTDOWN_USAGE);
      // Answered first ('close': sent, or the client went away): the shutdown closes every connection.
      if (!shutdown(stopPods, once(res, 'close'))) throw new MinipodError('CONFLICT', 'the daemon is already shutting down');
      res.statusCode = 202;
      // Pods left running: what the next daemon may take on this one's word (`node restart` passes it on).
      const vouch = stopPods ? undefined : handoff();
      return { shuttingDown: true, stopPods, ...(vouch ? { handoff: vouch } : {}) };
    }],
    ...imageRoutes(images, imageUsers),
    ...deploymentRoutes(deployments, pods),
  ];
  if (process.env.MINIPOD_DEBUG_API === '1') {
    // Fault injection for tests (lib/failpoints.ts); absent unless the daemon was started so.
    routes.push(['PUT', /^\/debug\/failpoints$/, async ({ body }) => {
      armFailpoints(check(failpointsBody, jsonObject(body), FAILPOINTS_USAGE).names);
      return { armed: armedFailpoints() };
    }]);
  }
  return routes;
}

/** One container's log (the pod's first container unless named), the current run's or with
 * previous the one before; with follow, until the pod is removed (its Removed event) or the
 * container has run its last (containerEnded: a run that ends to be started again is followed
 * into the next). */
async function streamPodLog(pods: PodManager, events: EventLog, key: string, rawQuery: URLSearchParams, res: ServerResponse): Promise<undefined> {
  const query = check(logsQuery, queryOf(rawQuery));
  const pod = pods.get(key);
  const { name } = pod;
  const names = pod.containers.map((c) => c.name);
  const wanted = query.container ?? names[0]!;
  const container = allContainers(pod).find((c) => c.name === wanted); // an init container's too, as kubectl's -c
  if (!container) throw new MinipodError('NOT_FOUND', `container ${wanted} not found in pod ${name} (it has ${allContainers(pod).map((c) => c.name).join(', ')})`);
  // Never started (an app behind an init container, one whose image is missing): kubectl's words, not an empty log.
  if (container.state === 'Waiting' && !container.startedAt && !container.restartCount && !query.previous) {
    throw new MinipodError('INVALID_ARGUMENT', `container "${wanted}" in pod "${name}" is waiting to start: ${container.reason ?? 'ContainerCreating'}`);
  }
  const opts = {
    timestamps: query.timestamps,
    ...(query.prefix ? { prefix: `[pod/${name}/${wanted}] ` } : {}),
    ...(query.tail !== undefined && query.tail >= 0 ? { tail: query.tail } : {}),
    ...(query.sinceTime !== undefined ? { sinceMs: query.sinceTime } : {}),
  };
  if (query.previous) {
    const file = previousLogPath(container.logPath);
    if (!(await stat(file).then((s) => s.isFile(), () => false))) throw new MinipodError('NOT_FOUND', `previous terminated container "${wanted}" in pod "${name}" not found`);
    return streamLog(file, res, undefined, opts); // a run that has ended: nothing to follow
  }
  if (!query.follow || containerEnded(pod, wanted)) return streamLog(container.logPath, res, undefined, opts);
  const gone = new AbortController();
  const ended = new AbortController();
  const onEvent = (e: PodEvent) => {
    if (e.podUid !== pod.uid) return;
    if (e.reason === 'Removed') gone.abort();
    else {
      const now = pods.list().find((p) => p.uid === pod.uid); // never a throw from inside an event
      if (now && containerEnded(now, wanted)) ended.abort();
    }
  };
  events.on('event', onEvent);
  try {
    // stillThere: the slow safety check, should a pod ever go without its event.
    return await streamLog(container.logPath, res, { gone: gone.signal, ended: ended.signal, stillThere: () => pods.list().some((p) => p.uid === pod.uid) }, opts);
  } finally {
    events.off('event', onEvent);
  }
}
