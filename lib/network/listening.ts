// Which ports a network namespace listens on, read from /proc/PID/net/* of any process in it:
// minipod's built-in readiness check (a container with declared ports is ready once they listen).
import { readProc } from '../os/host.js';

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/** "TCP/80", "UDP/53", … for every listening socket in pid's network namespace. */
export async function listeningPorts(pid: number): Promise<Set<string>> {
  const ports = new Set<string>();
  const tables: [string, 'TCP' | 'UDP', string][] = [
    ['tcp', 'TCP', TCP_LISTEN],
    ['tcp6', 'TCP', TCP_LISTEN],
    ['udp', 'UDP', UDP_UNCONNECTED],
    ['udp6', 'UDP', UDP_UNCONNECTED],
  ];
  for (const [file, proto, state] of tables) {
    const text = (await readProc(pid, `net/${file}`)) ?? '';
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === state && cols[1]) ports.add(`${proto}/${parseInt(cols[1].split(':')[1]!, 16)}`);
    }
  }
  return ports;
}
