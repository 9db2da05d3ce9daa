// `percpu-lens scan DIR`: every per-CPU construct in a tree (or one file), as JSON or as
// `file:line:col: kind name (type) [macro]` lines with per-kind counts.
import * as fs from 'fs';
import type { Command } from 'commander';
import { UsageError, parseIntOption } from '../errors';
import { scanTree, FINDING_KINDS, Finding, ScanResult } from '../../core/parse';
import { wholeTreeRun } from '../../core/memory';

interface ScanOpts {
  json?: boolean;
  include?: string[];
  exclude?: string[];
  workers?: number;
  maxFileBytes?: number;
  progress?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function formatFinding(f: Finding): string {
  const extra = [
    f.dims ? `dims=[${f.dims.join('][')}]` : '',
    f.container ? `in ${f.container}` : '',
    f.func ? `in ${f.func}()` : '',
    f.cond ? `if ${f.cond}` : '',
    f.unresolved ? `UNRESOLVED: ${f.unresolved}` : '',
  ].filter(Boolean).join('; ');
  return `${f.file}:${f.line}:${f.column}: ${f.kind} ${f.name || '-'} (${f.type || '?'}) [${f.macro}]${extra ? ' ' + extra : ''}`;
}

export function formatText(r: ScanResult): string {
  const lines = r.findings.map(formatFinding);
  const counts = FINDING_KINDS.map((k) => `${k} ${r.findings.filter((f) => f.kind === k).length}`);
  const unres = r.findings.filter((f) => f.unresolved).length;
  lines.push('', `${r.findings.length} findings: ${counts.join(', ')}${unres ? `; ${unres} unresolved` : ''}`);
  const s = r.stats;
  lines.push(`${s.filesSeen} files (${s.bytesSeen} bytes) read, ${s.filesParsed} passed the prefilter, ` +
    `${s.bytesTreeSitter} bytes parsed, ${s.filesSkipped} skipped, ${s.ms} ms`);
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('scan')
    .description('Find every per-CPU construct (DEFINE_PER_CPU*, DECLARE_PER_CPU*, alloc_percpu*, free_percpu, NR_CPUS arrays, refcount fields)')
    .argument('<dir>', 'kernel tree (or one file) to scan')
    .option('--json', 'print one JSON document')
    .option('--include <glob>', 'files to scan, relative to DIR (repeatable; default **/*.c and **/*.h)', collect)
    .option('--exclude <glob>', 'files or directories to leave out (repeatable)', collect)
    .option('--workers <n>', 'worker threads (default: one per core; 0 = none)', parseIntOption('--workers', 0, 256))
    .option('--max-file-bytes <n>', 'do not parse files larger than this (default 8 MiB)', parseIntOption('--max-file-bytes', 1, 2 ** 31))
    .option('--progress', 'print progress on stderr')
    .action(async (dir: string, o: ScanOpts) => {
      wholeTreeRun();
      if (!fs.existsSync(dir)) throw new UsageError(`no such file or directory: ${dir}`);
      let last = 0;
      let r: ScanResult;
      try {
        r = await scanTree(dir, {
          include: o.include, exclude: o.exclude, workers: o.workers, maxFileBytes: o.maxFileBytes,
          onProgress: o.progress ? (d, t) => {
            const now = Date.now();
            if (now - last > 500 || d === t) { last = now; process.stderr.write(`\rscan: ${d}/${t} files`); if (d === t) process.stderr.write('\n'); }
          } : undefined,
        });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      for (const e of r.errors) if (!o.json) process.stderr.write(`percpu-lens: ${e.file}: ${e.message}\n`);
      const out = o.json ? JSON.stringify({ root: r.root, findings: r.findings, errors: r.errors, stats: r.stats }) + '\n' : formatText(r);
      // main() calls process.exit(); wait until a large document has left for the pipe.
      await new Promise<void>((res, rej) => process.stdout.write(out, (e) => (e ? rej(e) : res())));
      if (r.stats.filesSeen === 0) process.stderr.write(`percpu-lens: no files matched under ${dir}\n`);
    });
}
