// `percpu-lens layout FILE.c`: sizes and alignments of every struct, union and typedef defined in
// FILE, as gcc computes them for --arch under --config (or the arch's defconfig-like defaults).
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { ARCH_NAMES, findArch } from '../../core/config/arch';
import { defaultConfig, parseDotConfig } from '../../core/config/kconfig';
import { LayoutEngine, formatPahole, isUnknown } from '../../core/layout';

interface Opts { arch: string; include: string[]; config?: string; root?: string; json?: boolean }

export function register(program: Command): void {
  program
    .command('layout')
    .description('sizeof/alignof of every struct, union and typedef defined in FILE, as gcc computes them')
    .argument('<file>', 'C source or header')
    .option('--arch <arch>', `target arch (${ARCH_NAMES.join(', ')})`, 'x86_64')
    .option('--include <dir>', 'header directory to search for definitions (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--config <file>', 'kernel .config (default: defconfig-like values for the arch)')
    .option('--root <dir>', 'kernel tree to take definitions and macros from')
    .option('--json', 'print one JSON document')
    .action(async (file: string, o: Opts) => {
      const arch = findArch(o.arch);
      if (!arch) throw new UsageError(`unknown arch "${o.arch}" (known: ${ARCH_NAMES.join(', ')})`);
      let text: string;
      try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new UsageError(`cannot read ${file}: ${(e as Error).message}`); }
      for (const d of o.include) if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new UsageError(`--include ${d}: not a directory`);
      if (o.root && !fs.existsSync(path.join(o.root, 'include'))) throw new UsageError(`--root ${o.root}: no include/ directory there`);
      let config = defaultConfig(arch.name);
      if (o.config) {
        let ct: string;
        try { ct = fs.readFileSync(o.config, 'utf8'); } catch (e) { throw new UsageError(`cannot read ${o.config}: ${(e as Error).message}`); }
        config = parseDotConfig(ct, o.config);
        for (const w of config.warnings) process.stderr.write(`percpu-lens: warning: ${w}\n`);
      }
      const engine = await LayoutEngine.create({ arch, config, root: o.root, includeDirs: o.include });
      engine.addSource(file, text);
      const types = engine.typesInFile(file);
      if (o.json) {
        const out = types.map((t) => (isUnknown(t) ? { name: t.name, error: t.error }
          : { name: t.name, size: t.size, align: t.align, ...(t.fallback ? { fallback: t.fallback } : {}) }));
        process.stdout.write(JSON.stringify({ arch: arch.name, config: config.source, types: out }, null, 2) + '\n');
        return;
      }
      const line = 1 << arch.l1CacheShift;
      for (const t of types) {
        if (isUnknown(t)) process.stdout.write(`${t.name}: unknown: ${t.error}\n\n`);
        else process.stdout.write(formatPahole(t.name, t, line) + '\n\n');
      }
    });
}
