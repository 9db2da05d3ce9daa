// Bundles a few exports of the current TypeScript source in memory with esbuild and loads them as a
// module, so a bench measures the source as it is without a build step.
const esbuild = require('esbuild');
const path = require('path');
const Module = require('module');

const ROOT = path.join(__dirname, '..', '..', '..');

/**
 * `contents`: an entry such as "export { scanTree } from './src/core/parse';" (paths from the repo
 * root). `at`: the file name the bundle is compiled as, relative to the repo root: under dist/ it
 * finds the worker bundles and .wasm files there.
 */
function loadBundle(contents, at) {
  const out = esbuild.buildSync({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', write: false, target: 'node20', logLevel: 'error',
  });
  const m = new Module(path.basename(at, '.js'));
  m.paths = Module._nodeModulePaths(ROOT);
  m._compile(out.outputFiles[0].text, path.join(ROOT, at));
  return m.exports;
}

module.exports = { loadBundle };
