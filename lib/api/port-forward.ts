// `minipod port-forward`: listeners in the daemon's network namespace (a node's, in node mode),
// held for as long as the request that asked for them stays open; each accepted connection is
// joined to localhost:REMOTE inside the pod's network namespace by rootfs/portfwd, as kubelet and
// containerd do (they enter the sandbox's netns and dial localhost), so a server bound to the
// pod's 127.0.0.1 is reachable. The answer is NDJSON: the listeners, then a line per connection.
import net from 'node:net';
import type { ServerResponse } from 'node:http';
import { MinipodError } from '../errors.js';
import { procLink, spawnProcess, tools, type Proc } from '../os/host.js';
import type { PodManager } from '../pod/manager.js';
import type { EventLog, PodEvent } from '../supervisor/events.js';

export interface ForwardRequest {
  /** IP addresses to listen on (the CLI turns `localhost` into 127.0.0.1). */
  address: string[];
  /** local 0: a free port, the same one on every address. */
  ports: { local: number; remote: number }[];
}

export interface Forwarding {
  address: string;
  local: number;
  remote: number;
}

/** The lines of the answer after the first ({ forwarding }). */
export type ForwardLine = { forwarding: Forwarding[] } | { connection: Forwarding } | { error: { code: string; message: string; local?: number; remote?: number } };

/** Where pod `name`'s holder keeps its network namespace now (a sandbox may have been recreated). */
async function podNetns(pods: PodManager, name: string, uid: string): Promise<string> {
  const pod = pods.list().find((p) => p.uid === uid);
  if (!pod) throw new MinipodError('NOT_FOUND', `pod ${name} was removed`);
  if (pod.phase !== 'Running' || !pod.sandbox) throw new MinipodError('CONFLICT', `pod ${name} is ${pod.phase}: port-forward needs a Running pod`);
  // The pid is the holder's only while it still holds the sandbox's namespace (pid reuse).
  if ((await procLink(pod.sandbox.pid, 'ns/net')) !== pod.sandbox.netns) throw new MinipodError('UNAVAILABLE', `pod ${name}'s sandbox holder (pid ${pod.sandbox.pid}) is gone: the pod is being recovered, try again`);
  return `/proc/${pod.sandbox.pid}/ns/net`;
}

function listen(address: string, port: number): Promise<net.Server> {
  // allowHalfOpen: a client that has sent all it will (shutdown SHUT_WR) still gets the answer.
  const server = net.createServer({ allowHalfOpen: true });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${address.includes(':') ? `[${address}]` : address}:${port}`;
      if (err.code === 'EADDRINUSE') reject(new MinipodError('CONFLICT', `cannot listen on ${where}: the port is in use (choose another local port, or give :REMOTE for a free one)`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new MinipodError('INVALID_ARGUMENT', `cannot listen on ${where}: ${address} is not an address of the node (--address)`));
      else reject(new MinipodError('UNAVAILABLE', `cannot listen on ${where}: ${err.message}`));
    });
    server.listen({ host: address, port, exclusive: true }, () => resolve(server));
  });
}

/** One connection: portfwd enters the pod's netns and dials; the socket and its stdio are piped. */
function relay(socket: net.Socket, netns: string, remote: number, onFailure: (message: string) => void): Proc {
  const proc = spawnProcess([tools().portfwd, netns, String(remote)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-1000)));
  proc.stdin!.on('error', () => {}); // it may exit before it reads (nothing listens in the pod)
  socket.on('error', () => {}); // a client's reset ends it like a close
  socket.pipe(proc.stdin!);
  proc.stdout!.pipe(socket); // its end (the pod side closed) half-closes ours
  socket.once('close', () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); // not reaped yet: still ours
  });
  void proc.then((r) => {
    // Killed (by us, the client having gone): nothing to say. Ended with an error of its own (a
    // refused dial): said even when the client has already seen the close, which its end of the
    // pipe may bring before the exit is reaped.
    if (r.exitCode === 0 || r.signal) return;
    onFailure(stderr.trim().split('\n').pop() || r.message || `portfwd ended (code ${r.exitCode})`);
    socket.destroy();
  });
  return proc;
}

/** Listen, answer with the listeners, then forward until the client goes (or the pod is removed). */
export async function streamPortForward(pods: PodManager, events: EventLog, name: string, request: ForwardRequest, res: ServerResponse): Promise<undefined> {
  const pod = pods.get(name);
  await podNetns(pods, name, pod.uid); // refused before any listener exists
  const servers: net.Server[] = [];
  const forwarding: Forwarding[] = [];
  const closeAll = () => servers.forEach((s) => s.close());
  try {
    for (const { local, remote } of request.ports) {
      let port = local;
      for (const address of request.address) {
        const server = await listen(address, port);
        servers.push(server);
        port = (server.address() as net.AddressInfo).port; // `:REMOTE`: the others take the first's
        forwarding.push({ address, local: port, remote });
      }
    }
  } catch (err) {
    closeAll();
    throw err;
  }
  const sockets = new Set<net.Socket>();
  const send = (line: ForwardLine) => !res.writableEnded && !res.destroyed && res.write(`${JSON.stringify(line)}\n`);
  const gone = (e: PodEvent) => e.reason === 'Removed' && e.podUid === pod.uid && end(`pod ${name} was removed`);
  let ended = false;
  const end = (why?: string) => {
    if (ended) return;
    ended = true;
    events.off('event', gone);
    closeAll();
    for (const s of sockets) s.destroy(); // each one's helper is killed on its close
    if (why) send({ error: { code: 'NOT_FOUND', message: why } });
    res.end();
  };
  servers.forEach((server, i) => {
    const { local, remote } = forwarding[i]!;
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      send({ connection: forwarding[i]! });
      socket.pause(); // nothing is read before the pod side exists
      podNetns(pods, name, pod.uid).then(
        (netns) => {
          if (socket.destroyed) return;
          relay(socket, netns, remote, (message) => send({ error: { code: 'UNAVAILABLE', local, remote, message } }));
          socket.resume();
        },
        (err: Error) => {
          send({ error: { code: 'UNAVAILABLE', local, remote, message: err.message } });
          socket.destroy();
        },
      );
    });
  });
  events.on('event', gone);
  res.once('close', () => end());
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', Connection: 'close' });
  send({ forwarding });
  return undefined;
}
