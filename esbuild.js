// Builds the two bundles (extension, CLI) and copies the runtime assets next to them:
// both .wasm files and the tree-sitter queries, so the .vsix and the CLI load them the same way.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const dist = path.join(__dirname, 'dist');
// how our whole-tree processes start (src/core/launch.json): glibc reads the environment and V8 its
// heap sizes at start-up only, so the CLI's first line gives both through env -S (GNU coreutils
// 8.30+, macOS)
const launch = require('./src/core/launch.json');
const launchLine = [...Object.entries(launch.env).map(([k, v]) => `${k}=${v}`), 'node', ...launch.nodeArgs].join(' ');
const watch = process.argv.includes('--watch');

function copyAssets() {
  fs.mkdirSync(path.join(dist, 'queries'), { recursive: true });
  fs.copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), path.join(dist, 'tree-sitter.wasm'));
  fs.copyFileSync(require.resolve('tree-sitter-c/tree-sitter-c.wasm'), path.join(dist, 'tree-sitter-c.wasm'));
  const q = path.join(__dirname, 'src', 'core', 'parse', 'queries');
  for (const f of fs.readdirSync(q)) if (f.endsWith('.scm')) fs.copyFileSync(path.join(q, f), path.join(dist, 'queries', f));
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // assets.ts resolves the .wasm files from node_modules only when unbundled (tests under out/);
  // bundles load the copies in dist/, so esbuild's advice to mark them external does not apply
  logOverride: { 'require-resolve-not-external': 'silent' },
};

async function main() {
  copyAssets();
  const builds = [
    { ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
    { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env -S ${launchLine}` } },
    // the editor's whole-tree estimate runs in this child process (src/vscode/forkedCore.ts)
    { ...common, entryPoints: ['src/vscode/estimateWorker.ts'], outfile: 'dist/estimateWorker.js' },
  ];
  // the chunk-map page: media/chunkmap/*.ts with the shared formatter and data shaping, for the browser
  builds.push({ bundle: true, platform: 'browser', target: 'es2022', format: 'iife', logLevel: 'warning',
    entryPoints: ['media/chunkmap/main.ts'], outfile: 'dist/webview/chunkmap.js' });
  // the include dirs' header index, read on a thread while a first run reads Kbuild (estimate/wrapped.ts)
  builds.push({ ...common, entryPoints: ['src/core/estimate/headerWorker.ts'], outfile: 'dist/headerWorker.js' });
  const extra = path.join(__dirname, 'src', 'core', 'parse', 'worker.ts');
  if (fs.existsSync(extra)) builds.push({ ...common, entryPoints: [extra], outfile: 'dist/worker.js' });
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
    fs.chmodSync(path.join(dist, 'cli.js'), 0o755);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
