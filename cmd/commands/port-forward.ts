// `minipod port-forward POD [LOCAL:]REMOTE...`, as kubectl's: the daemon listens (in its node's
// network namespace) for as long as this command runs, and joins each connection to localhost:REMOTE
// inside the pod. Ctrl-C ends it; the listeners close with our connection to the daemon.
import { createInterface } from 'node:readline';
import type { ForwardLine } from '../../lib/api/port-forward.js';
import { MinipodError } from '../../lib/errors.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';
import { podNameOf, podRef } from '../pod-target.js';
import { hostPort, parseAddresses, parsePortSpecs } from '../port-specs.js';

export const portForward = verb<{ pod: string; ports: string[]; address: string }>({
  command: 'port-forward <pod> <ports..>',
  describe: "Forward local ports to ports on the pod's localhost, until Ctrl-C (LOCAL:REMOTE, REMOTE or :REMOTE)",
  builder: (y) =>
    y
      .option('address', { type: 'string', default: 'localhost', describe: 'Addresses to listen on, comma-separated: localhost (127.0.0.1) or IP addresses of the node' })
      .example('$0 port-forward web 8080:80', 'curl localhost:8080 reaches port 80 in pod web')
      .example('$0 port-forward web :80', 'a free local port, printed')
      .example('$0 port-forward deploy/web 8080:80', 'to one of the Deployment\'s pods (also pod/NAME)'),
  handler: async (argv) => {
    let ports, address;
    try {
      ports = parsePortSpecs(argv.ports.map(String));
      address = parseAddresses(argv.address);
    } catch (err) {
      usage(`${(err as Error).message} (see \`minipod port-forward --help\`)`);
    }
    const ref = podRef('port-forward', argv.pod);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(0));
    try {
      const api = client(argv);
      const pod = await podNameOf(api, ref);
      const res = await api.send('POST', `/pods/${encodeURIComponent(pod)}/portforward`, { address, ports });
      for await (const line of createInterface({ input: res })) {
        if (!line) continue;
        const value = JSON.parse(line) as ForwardLine;
        if ('forwarding' in value) for (const f of value.forwarding) process.stdout.write(`Forwarding from ${hostPort(f.address, f.local)} -> ${f.remote}\n`);
        else if ('connection' in value) process.stdout.write(`Handling connection for ${value.connection.local}\n`);
        else if (value.error.local !== undefined) process.stderr.write(`error forwarding ${value.error.local} -> ${value.error.remote}: ${value.error.message}\n`);
        else throw new MinipodError('UNAVAILABLE', `lost connection to pod ${pod}: ${value.error.message}`);
      }
      throw new MinipodError('UNAVAILABLE', `lost connection to the daemon: port-forward to pod ${pod} ended`);
    } catch (err) {
      fail(err);
    }
  },
});
