// Pod egress set-up (network/egress.ts) on the fake host: forwarding on, then one nft transaction
// that replaces the table (so a restart never doubles a rule); iptables where nft is missing,
// added once; neither installed is an error naming the package. Serial: each test installs its
// own fake host, which is global.
import test, { type ExecutionContext } from 'ava';
import { egressTool, enableEgress, iptablesRules, nftRuleset, parseNonMasquerade } from '../../../lib/network/egress.js';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import { CommandError } from '../../../lib/os/command-error.js';

function fakeWith(t: ExecutionContext, tools: { nft?: boolean; iptables?: boolean }): FakeHost {
  const fake = new FakeHost();
  const restore = useHost(fake, { ...fake.tools, ...(tools.nft ? { nft: '/usr/sbin/nft' } : {}), ...(tools.iptables ? { iptables: '/usr/sbin/iptables' } : {}) });
  t.teardown(restore);
  return fake;
}

test('nft: the table is declared, deleted and defined in one transaction: masquerade what leaves the subnet', (t) => {
  const script = nftRuleset({ subnet: '10.88.0.0/16', bridge: 'minipod0' });
  t.is(script.split('\n').slice(0, 3).join('\n'), 'table ip minipod\ndelete table ip minipod\ntable ip minipod {');
  t.regex(script, /type nat hook postrouting priority srcnat; policy accept;/);
  t.regex(script, /ip saddr 10\.88\.0\.0\/16 ip daddr != 10\.88\.0\.0\/16 counter masquerade comment "pod egress"/);
  t.regex(nftRuleset({ subnet: '10.88.1.0/24', bridge: 'minipod0', noNat: ['10.88.0.0/16', '192.0.2.12/32'] }), /ip saddr 10\.88\.1\.0\/24 ip daddr != \{ 10\.88\.1\.0\/24, 10\.88\.0\.0\/16, 192\.0\.2\.12\/32 \} counter masquerade/, 'other nodes\' pods and the nodes keep the pod\'s address');
});

test.serial('forwarding is turned on beside the rules, in this namespace', async (t) => {
  const fake = fakeWith(t, { nft: true });
  t.is(await enableEgress({ subnet: '10.88.0.0/16', bridge: 'minipod0' }), 'nft');
  t.deepEqual(fake.lines('sysctl', 'run'), ['sysctl net.ipv4.ip_forward=1', 'run nft -f -', 'sysctl net/ipv4/conf/minipod0/route_localnet=1']);
});

test('nft: a hostPort is reached from the node\'s localhost and by hairpin, and loopback only from the node', (t) => {
  const script = nftRuleset({ subnet: '10.88.0.0/16', bridge: 'br.0' });
  t.regex(script, /ct status dnat ip saddr 127\.0\.0\.0\/8 counter masquerade/, 'localhost: the pod could not answer 127.0.0.1');
  t.regex(script, /ct status dnat ip saddr 10\.88\.0\.0\/16 oifname "br\.0" counter masquerade/, 'hairpin: the reply must come back through the node');
  t.regex(script, /type filter hook input priority filter; policy accept;\n {4}iifname != "lo" ip daddr 127\.0\.0\.0\/8 ct state new counter drop/, 'route_localnet\'s guard');
});

test.serial('iptables where nft is missing: the rule is checked, and added only when absent', async (t) => {
  const fake = fakeWith(t, { iptables: true });
  let present = false;
  fake.commands.set('iptables', (argv) => {
    if (argv.includes('-C') && !present) throw new CommandError(argv, 1, undefined, 'Bad rule');
    if (argv.includes('-A')) present = true;
    return '';
  });
  t.is(await enableEgress({ subnet: '10.88.0.0/16', bridge: 'minipod0' }), 'iptables');
  await enableEgress({ subnet: '10.88.0.0/16', bridge: 'minipod0' });
  const rule = '-t nat POSTROUTING -s 10.88.0.0/16 ! -d 10.88.0.0/16 -m comment --comment minipod pod egress -j MASQUERADE';
  t.deepEqual(fake.lines('run'), [`run iptables -w ${rule.replace('POSTROUTING', '-C POSTROUTING')}`, `run iptables -w ${rule.replace('POSTROUTING', '-A POSTROUTING')}`, `run iptables -w ${rule.replace('POSTROUTING', '-C POSTROUTING')}`]);
});

test('iptables: each network reached without NAT is a RETURN before the masquerade (`! -d` takes one)', (t) => {
  t.deepEqual(iptablesRules({ subnet: '10.88.1.0/24', bridge: 'minipod0', noNat: ['10.88.0.0/16', '192.0.2.12/32'] }).map((r) => r.join(' ')), [
    '-t nat POSTROUTING -s 10.88.1.0/24 -d 10.88.0.0/16 -m comment --comment minipod pod egress -j RETURN',
    '-t nat POSTROUTING -s 10.88.1.0/24 -d 192.0.2.12/32 -m comment --comment minipod pod egress -j RETURN',
    '-t nat POSTROUTING -s 10.88.1.0/24 ! -d 10.88.1.0/24 -m comment --comment minipod pod egress -j MASQUERADE',
  ]);
});

test('--non-masquerade-cidrs: IPv4 networks, normalized; anything else named in the error', (t) => {
  t.deepEqual(parseNonMasquerade('10.88.0.0/16, 192.0.2.11/32,10.9.3.4/8'), ['10.88.0.0/16', '192.0.2.11/32', '10.0.0.0/8']);
  t.throws(() => parseNonMasquerade('10.88.0.0/16,10.88.1.1'), { message: /--non-masquerade-cidrs: "10\.88\.1\.1" is not an IPv4 network such as 10\.88\.0\.0\/16/ });
  t.throws(() => parseNonMasquerade('fd00::/64'), { message: /is not an IPv4 network/ });
});

test.serial('neither nft nor iptables: an error naming the package, and nothing changed', async (t) => {
  const fake = fakeWith(t, {});
  await t.throwsAsync(enableEgress({ subnet: '10.88.0.0/16', bridge: 'minipod0' }), { message: 'pod egress needs nft or iptables: install nftables (apt-get install nftables)' });
  t.deepEqual(fake.lines('sysctl', 'run'), []);
});

test.serial('egressTool says beforehand what enableEgress makes the rules with: nft where there is one', (t) => {
  fakeWith(t, { nft: true, iptables: true });
  t.is(egressTool(), 'nft');
});

test.serial('egressTool: iptables without nft; neither is an error naming the package', (t) => {
  fakeWith(t, { iptables: true });
  t.is(egressTool(), 'iptables');
  fakeWith(t, {});
  t.throws(() => egressTool(), { message: /install nftables/ });
});
