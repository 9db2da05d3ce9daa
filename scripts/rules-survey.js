#!/usr/bin/env node
// Usage: node scripts/rules-survey.js DIR [--sample N] [--seed S] [--rule PCPU00N] [--json] [--no-tree]
//        [--large-fraction F] [--module-reserve B] [--nr-cpus N] [--cpus N]
//                                         [--layout ../layout]   (a worktree with src/core/layout)
// Runs every rule over a kernel tree and prints hits per rule and a seeded sample to read by hand.
// Bundles scripts/survey/main.ts (and, with --layout, that tree's layout engine) into .cache/ first.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const cache = path.join(root, '.cache');
fs.mkdirSync(cache, { recursive: true });
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error', nodePaths: [path.join(root, 'node_modules')] };

async function main() {
  const args = process.argv.slice(2);
  const li = args.indexOf('--layout');
  if (li >= 0) {
    const tree = path.resolve(args[li + 1]);
    const shim = path.join(cache, 'layout-shim.ts');
    fs.writeFileSync(shim, [
      `import { LayoutEngine } from ${JSON.stringify(path.join(tree, 'src/core/layout/index'))};`,
      `import { defaultConfig } from ${JSON.stringify(path.join(tree, 'src/core/config/kconfig'))};`,
      `import { ARCHES } from ${JSON.stringify(path.join(tree, 'src/core/config/arch'))};`,
      'export async function makeSizeOf(root: string) {',
      "  const e = await LayoutEngine.create({ arch: ARCHES.x86_64, config: defaultConfig('x86_64'), root });",
      '  return (t: string, f?: string) => e.sizeOf(t, f);',
      '}',
    ].join('\n'));
    await esbuild.build({ ...common, entryPoints: [shim], outfile: path.join(cache, 'layout.js') });
    args.splice(li, 2, '--layout-bundle', path.join(cache, 'layout.js'));
  }
  const out = path.join(cache, 'rules-survey.js');
  await esbuild.build({ ...common, entryPoints: [path.join(root, 'scripts', 'survey', 'main.ts')], outfile: out });
  process.argv = [process.argv[0], out, ...args];
  require(out);
}
main().catch((e) => { console.error(e); process.exit(1); });
