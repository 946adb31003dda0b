// kubectl's port-forward forms: LOCAL:REMOTE, REMOTE (same port), :REMOTE (a free local port);
// anything else is refused naming the argument; --address: localhost is 127.0.0.1.
import test from 'ava';
import { hostPort, parseAddresses, parsePortSpec, parsePortSpecs } from '../../../cmd/port-specs.js';

test('8080:80, 80 and :80', (t) => {
  t.deepEqual(parsePortSpec('8080:80'), { local: 8080, remote: 80 });
  t.deepEqual(parsePortSpec('80'), { local: 80, remote: 80 });
  t.deepEqual(parsePortSpec(':80'), { local: 0, remote: 80 });
  t.deepEqual(parsePortSpec('0:80'), { local: 0, remote: 80 });
  t.deepEqual(parsePortSpec('65535:1'), { local: 65535, remote: 1 });
});

test('a bad spec is an error naming it and the forms', (t) => {
  const forms = /expected \[LOCAL:\]REMOTE, such as 8080:80, 80 or :80/;
  for (const spec of ['', ':', '8080:', '1:2:3', 'a:b']) t.throws(() => parsePortSpec(spec), { message: new RegExp(`port "${spec}"`) }, spec);
  t.throws(() => parsePortSpec('80:http'), { message: /port "80:http": remote port "http" is not a port number \(1-65535\)/ });
  t.throws(() => parsePortSpec('70000:80'), { message: /local port "70000" is not a port number \(0-65535\)/ });
  t.throws(() => parsePortSpec('0'), { message: /remote port "0" is not a port number \(1-65535\)/ });
  t.throws(() => parsePortSpec('-1:80'), { message: forms });
  t.throws(() => parsePortSpec('8080:80.5'), { message: forms });
});

test('several mappings; a local port given twice is refused, :REMOTE twice is fine', (t) => {
  t.deepEqual(parsePortSpecs(['8080:80', '9000', ':22', ':23']), [{ local: 8080, remote: 80 }, { local: 9000, remote: 9000 }, { local: 0, remote: 22 }, { local: 0, remote: 23 }]);
  t.throws(() => parsePortSpecs(['8080:80', '8080:81']), { message: 'local port 8080 is given twice: each mapping needs its own local port' });
  t.throws(() => parsePortSpecs([]), { message: /give at least one port/ });
});

test('--address: localhost is 127.0.0.1, IP addresses as given, anything else refused', (t) => {
  t.deepEqual(parseAddresses('localhost'), ['127.0.0.1']);
  t.deepEqual(parseAddresses('localhost,0.0.0.0, ::1,127.0.0.1'), ['127.0.0.1', '0.0.0.0', '::1']);
  t.throws(() => parseAddresses('example.com'), { message: /--address example.com: give localhost or an IP address/ });
  t.throws(() => parseAddresses(','), { message: /--address needs/ });
  t.is(hostPort('127.0.0.1', 8080), '127.0.0.1:8080');
  t.is(hostPort('::1', 8080), '[::1]:8080');
});
