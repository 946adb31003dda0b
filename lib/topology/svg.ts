// The SVG: Graphviz's `dot -Tsvg` run on renderDot's source, through the door. Graphviz is
// Debian's `graphviz`, installed by scripts/setup; without it, an error that names the package.
import { MinipodError } from '../errors.js';
import { run } from '../os/host.js';
import { findTool } from '../os/tools.js';

export async function renderSvg(dotSource: string): Promise<string> {
  const dot = await findTool('dot');
  if (!dot) throw new MinipodError('NOT_FOUND', 'dot (Graphviz) not found in PATH: --format svg needs it, install graphviz (apt-get install graphviz), or use --format dot');
  return run([dot, '-Tsvg'], { input: dotSource, timeoutMs: 30_000 });
}
