// Byte quantities as kubelet's containerLogMaxSize takes them.
import test from 'ava';
import { validateManifest } from '../../../lib/manifest/parse.js';
import { parseManifest } from '../../../lib/manifest/text.js';
import { milliCpu, parseQuantity, parseResourceQuantity } from '../../../lib/manifest/quantity.js';
import { containerResources } from '../../../lib/manifest/resources.js';

test('plain bytes and binary and decimal suffixes', (t) => {
  t.is(parseQuantity('0'), 0);
  t.is(parseQuantity('16384'), 16384);
  t.is(parseQuantity('16Ki'), 16 * 1024);
  t.is(parseQuantity('10Mi'), 10 * 1024 * 1024);
  t.is(parseQuantity('2Gi'), 2 * 1024 ** 3);
  t.is(parseQuantity('100k'), 100_000);
  t.is(parseQuantity('10M'), 10_000_000);
  t.is(parseQuantity('1G'), 1e9);
  t.is(parseQuantity(' 5Mi '), 5 * 1024 * 1024);
});

test('anything else is not a quantity', (t) => {
  for (const bad of ['', 'Mi', '-1', '1.5Mi', '10mi', '10MB', '10 Mi', '1e6', '0x10', '10Ti', '99999999999999999999Gi']) t.is(parseQuantity(bad), undefined, bad);
});

test('resource quantities as Kubernetes writes them', (t) => {
  t.is(parseResourceQuantity('250m'), 0.25);
  t.is(parseResourceQuantity('1'), 1);
  t.is(parseResourceQuantity(1), 1);
  t.is(parseResourceQuantity('0.5'), 0.5);
  t.is(parseResourceQuantity(0.5), 0.5);
  t.is(parseResourceQuantity('.5'), 0.5);
  t.is(parseResourceQuantity('512Mi'), 512 * 2 ** 20);
  t.is(parseResourceQuantity('1G'), 1e9);
  t.is(parseResourceQuantity('1.5Gi'), 1.5 * 2 ** 30);
  t.is(parseResourceQuantity('1e3'), 1000);
  t.is(parseResourceQuantity('2Ti'), 2 * 2 ** 40);
  for (const bad of ['', 'lots', 'Mi', '-1', '10mi', '10MB', '10 Mi', '0x10', '1..5', 'm']) t.is(parseResourceQuantity(bad), undefined, bad);
});

test('milliCPU rounds up, never a float artefact', (t) => {
  t.is(milliCpu(0.1), 100);
  t.is(milliCpu(0.25), 250);
  t.is(milliCpu(1e-9), 1);
  t.is(milliCpu(2), 2000);
});

const pod = (resources: unknown) => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox', resources }] } });

test('resources in a manifest: requests and limits of cpu and memory, a request defaulting to its limit', (t) => {
  const spec = validateManifest(pod({ requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: 1, memory: '64Mi' } })).spec.containers[0]!;
  t.deepEqual(containerResources(spec), { memoryLimit: 64 * 2 ** 20, cpuLimit: 1000, cpuRequest: 100 });
  t.deepEqual(containerResources(validateManifest(pod({ limits: { cpu: '0.5' } })).spec.containers[0]!), { memoryLimit: null, cpuLimit: 500, cpuRequest: 500 });
  t.deepEqual(containerResources(validateManifest(pod(undefined)).spec.containers[0]!), { memoryLimit: null, cpuLimit: null, cpuRequest: null });
  t.notThrows(() => parseManifest('metadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    resources:\n      limits: {cpu: 0.5, memory: 1G}\n'));
});

test('a malformed quantity, an unknown resource or a limit below its request is an error naming the field', (t) => {
  t.throws(() => validateManifest(pod({ limits: { memory: 'lots' } })), { message: /spec\.containers\[0\]\.resources\.limits\.memory: "lots" is not a quantity/ });
  t.throws(() => validateManifest(pod({ requests: { cpu: '-1' } })), { message: /spec\.containers\[0\]\.resources\.requests\.cpu: "-1" is not a quantity/ });
  t.throws(() => validateManifest(pod({ limits: { gpu: 1 } })), { message: /spec\.containers\[0\]\.resources\.limits: unknown field "gpu"/ });
  t.throws(() => validateManifest(pod({ requests: { cpu: '2' }, limits: { cpu: '1' } })), { message: /spec\.containers\[0\]\.resources\.requests\.cpu: "2" must be less than or equal to the cpu limit "1"/ });
  t.throws(() => validateManifest(pod({ requests: { memory: '1Gi' }, limits: { memory: '512Mi' } })), { message: /requests\.memory: "1Gi" must be less than or equal to the memory limit "512Mi"/ });
});
