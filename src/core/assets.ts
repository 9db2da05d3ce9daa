// Where runtime assets live. Bundled (dist/): next to the bundle. Unbundled (tsc out/, tests):
// the packages in node_modules and the .scm files under src/. One lookup for CLI, extension and tests.
import * as fs from 'fs';
import * as path from 'path';

function bundledDir(): string | undefined {
  return fs.existsSync(path.join(__dirname, 'tree-sitter-c.wasm')) ? __dirname : undefined;
}

function packageRoot(): string {
  let d = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'src', 'core'))) return d;
    const up = path.dirname(d);
    if (up === d) throw new Error(`percpu-lens: cannot find package root from ${__dirname}`);
    d = up;
  }
}

export function wasmPath(name: 'tree-sitter.wasm' | 'tree-sitter-c.wasm'): string {
  const b = bundledDir();
  if (b) return path.join(b, name);
  return name === 'tree-sitter.wasm'
    ? require.resolve('web-tree-sitter/tree-sitter.wasm')
    : require.resolve('tree-sitter-c/tree-sitter-c.wasm');
}

export function queryPath(name: string): string {
  const b = bundledDir();
  if (b) return path.join(b, 'queries', name);
  return path.join(packageRoot(), 'src', 'core', 'parse', 'queries', name);
}

/** Root of the bundled sample kernel tree (the main job's default input). */
export function sampleTreePath(): string {
  const b = bundledDir();
  const root = b ? path.dirname(b) : packageRoot();
  return path.join(root, 'samples', 'kernel');
}
