// A container's cgroup files read as the kernel writes them, on a hybrid v1 machine and on cgroup2
// alone: the OOM kill count, CPU time and the working set. The hierarchies are temp directories
// named by a mountinfo text.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { v1Hierarchy } from '../../../lib/cgroup/cgroup.js';
import { cgroupUsage, oomKills } from '../../../lib/cgroup/stats.js';
import { tempDir } from '../../helpers/temp.js';

const REL = '/minipod-node-x/pod-u/app';

async function hierarchies(t: Parameters<typeof tempDir>[0], files: Record<string, string>): Promise<string> {
  const root = await tempDir(t, 'minipod-cgroup-');
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(root, file.replace('REL', REL));
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, text);
  }
  return root;
}

const hybrid = (root: string) => [
  `32 31 0:29 / ${root}/cpu rw,relatime - cgroup cgroup rw,cpu`,
  `33 31 0:30 / ${root}/cpuacct rw,relatime - cgroup cgroup rw,cpuacct`,
  `35 31 0:32 / ${root}/memory rw,relatime - cgroup cgroup rw,memory`,
  `41 31 0:38 / ${root}/unified rw,relatime - cgroup2 cgroup2 rw`,
].join('\n');
const unifiedOnly = (root: string) => `41 31 0:38 / ${root}/unified rw,relatime - cgroup2 cgroup2 rw`;

test('the v1 hierarchy of a controller is found by its mount options, not its directory name', (t) => {
  t.is(v1Hierarchy('memory', hybrid('/sys/fs/cgroup')), '/sys/fs/cgroup/memory');
  t.is(v1Hierarchy('cpuacct', '1 2 0:1 / /c/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct'), '/c/cpu,cpuacct');
  t.is(v1Hierarchy('memory', unifiedOnly('/sys/fs/cgroup')), undefined);
});

test('OOM kills: v1 memory.oom_control where a memory hierarchy is, else cgroup2 memory.events', async (t) => {
  const root = await hierarchies(t, {
    'memory/REL/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n',
    'unified/REL/memory.events': 'low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\noom_group_kill 0\n',
  });
  t.is(await oomKills(REL, hybrid(root)), 1);
  t.is(await oomKills(REL, unifiedOnly(root)), 2);
  t.is(await oomKills('/gone', hybrid(root)), undefined, 'a cgroup that is gone tells nothing');
});

test('usage: CPU time in ns and the working set (usage less inactive file pages), v1 and v2', async (t) => {
  const root = await hierarchies(t, {
    'cpuacct/REL/cpuacct.usage': '88686581\n',
    'memory/REL/memory.usage_in_bytes': '5000000\n',
    'memory/REL/memory.stat': 'cache 100\ninactive_file 7\ntotal_inactive_file 1000000\n',
    'unified/REL/cpu.stat': 'usage_usec 88686\nuser_usec 30987\nsystem_usec 57699\n',
    'unified/REL/memory.current': '3000000\n',
    'unified/REL/memory.stat': 'anon 2000000\ninactive_file 500000\n',
  });
  t.deepEqual(await cgroupUsage(REL, hybrid(root)), { cpuNs: 88686581, memoryBytes: 4_000_000 });
  t.deepEqual(await cgroupUsage(REL, unifiedOnly(root)), { cpuNs: 88_686_000, memoryBytes: 2_500_000 });
  t.is(await cgroupUsage('/gone', hybrid(root)), undefined);
});
