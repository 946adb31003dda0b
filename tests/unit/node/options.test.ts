import test from 'ava';
import { checkOptions, daemonFlags } from '../../../lib/node/options.js';

test('a node keeps --oci-runtime in node.json and passes it to its daemon', (t) => {
  t.deepEqual(checkOptions({ ociRuntime: 'crun' }, 'flags'), { ociRuntime: 'crun' });
  t.deepEqual(daemonFlags({ ociRuntime: 'crun', subnet: '10.9.0.0/16' }), ['--subnet', '10.9.0.0/16', '--oci-runtime', 'crun']);
  t.deepEqual(daemonFlags({}), [], 'unset: the daemon\'s default (runc)');
});

test('a bad --oci-runtime is refused naming the flag; in node.json, naming the file and field', (t) => {
  t.throws(() => checkOptions({ ociRuntime: 'kata' }, 'flags'), { message: /^--oci-runtime "kata": give runc or crun/ });
  t.throws(() => checkOptions({ ociRuntime: 7 as unknown as string }, '/n/node.json'), { message: /^\/n\/node\.json: ociRuntime 7: give runc or crun/ });
});
