// What the three images hold, as a pure function of their inputs (the static busybox, its applet
// names, the files under files/): busybox, then httpd and bootcamp:v1 as busybox plus their app.
// Each image is one layer; entries sorted by path so the bytes never depend on the order we list them.

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** What the real httpd image serves, byte for byte. */
export const IT_WORKS = '<html><body><h1>It works!</h1></body></html>\n';

const dir = (path, mode = 0o755) => ({ path, type: 'Directory', mode });
const file = (path, data, mode = 0o644) => ({ path, type: 'File', mode, data: Buffer.from(data) });

// Hard links must follow the file they name, so they go last (sorted among themselves); '[' sorts
// before 'busybox' and would otherwise come first.
function sorted(entries) {
  const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return [...entries.filter((e) => e.type !== 'Link').sort(byPath), ...entries.filter((e) => e.type === 'Link').sort(byPath)];
}

/** The busybox root filesystem: every applet a hard link to /bin/busybox, as in the official image. */
function busyboxRoot({ busybox, applets }) {
  return [
    ...['bin', 'dev', 'etc', 'home', 'proc', 'sys', 'usr', 'var', 'var/www'].map((p) => dir(p)),
    dir('root', 0o700),
    dir('tmp', 0o1777),
    file('bin/busybox', busybox, 0o755),
    ...applets.filter((a) => a !== 'busybox').map((a) => ({ path: `bin/${a}`, type: 'Link', mode: 0o755, linkpath: 'bin/busybox' })),
    // busybox reads these itself (no NSS): `id`, `ls -l` and `httpd -u` resolve names from them.
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n'),
    file('etc/group', 'root:x:0:\nnobody:x:65534:\n'),
  ];
}

/**
 * inputs = { busybox: Buffer, applets: string[], banner: string, bootcamp: Buffer (files/bootcamp),
 * created: Date, architecture }. Returns [{ name, ref, entries, config, created, architecture, history }].
 */
export function recipes(inputs) {
  const base = busyboxRoot(inputs);
  const image = (name, ref, extra, config, what) => ({
    name,
    ref,
    entries: sorted([...base, ...extra]),
    config: { Env: [`PATH=${PATH}`], WorkingDir: '/', ...config },
    created: inputs.created,
    architecture: inputs.architecture,
    history: `minipod rootfs/images: ${what} (${inputs.banner})`,
  });
  const htdocs = '/usr/local/apache2/htdocs';
  return [
    image('busybox', 'docker.io/library/busybox:latest', [], { Cmd: ['sh'] }, 'busybox with its applets'),
    image(
      'httpd',
      'docker.io/library/httpd:latest',
      [dir('usr/local'), dir('usr/local/apache2'), dir('usr/local/apache2/htdocs'), file(`${htdocs.slice(1)}/index.html`, IT_WORKS)],
      {
        Env: [`PATH=/usr/local/apache2/bin:${PATH}`, 'HTTPD_PREFIX=/usr/local/apache2'],
        Cmd: ['httpd', '-f', '-v', '-p', '80', '-h', htdocs],
        WorkingDir: '/usr/local/apache2',
        ExposedPorts: { '80/tcp': {} },
      },
      `busybox httpd serving ${htdocs} on :80`,
    ),
    image(
      'bootcamp-v1',
      'docker.io/library/bootcamp:v1',
      [dir('usr/local'), dir('usr/local/bin'), file('usr/local/bin/bootcamp', inputs.bootcamp, 0o755)],
      { Cmd: ['nc', '-ll', '-p', '8080', '-e', '/usr/local/bin/bootcamp'], ExposedPorts: { '8080/tcp': {} } },
      'busybox nc answering the Kubernetes bootcamp line on :8080',
    ),
  ];
}
