import * as path from 'path';
import type { Command } from 'commander';
import { profileOptions, resolveProfileOptions, type ProfileOpts } from '../profileOptions';
import { UsageError, parseIntOption } from '../errors';
import { wholeTreeRun, heapCompactor, SHORT_GROWTH } from '../../core/memory';
import {
  diffEstimates, diffToSarif, formatDiffMarkdown, formatDiffText, fromGit, fromPatch, fromTrees, fromWorkingTree, InputError, Materialised,
} from '../../core/estimate/diff';

interface Opts extends ProfileOpts {
  git?: boolean;
  workingTree?: boolean;
  patch?: string;
  strip: number;
  json?: boolean;
  markdown?: boolean;
  sarif?: boolean;
}


function materialise(args: string[], o: Opts): Materialised {
  try {
    if (o.git && o.patch) throw new UsageError('--git and --patch are exclusive');
    if (o.workingTree) {
      if (!o.git || args.length < 1 || args.length > 2) throw new UsageError('--working-tree goes with --git and one revision: diff --git A --working-tree [DIR]');
      return fromWorkingTree(args[0], path.resolve(args[1] ?? '.'));
    }
    if (o.git) {
      if (args.length < 2 || args.length > 3) throw new UsageError('--git takes two revisions and an optional folder: diff --git A B [DIR]');
      return fromGit(args[0], args[1], path.resolve(args[2] ?? '.'));
    }
    if (o.patch) {
      if (args.length > 1) throw new UsageError('--patch FILE takes one optional folder: diff --patch FILE [DIR]');
      return fromPatch(o.patch, path.resolve(args[0] ?? '.'), o.strip);
    }
    if (args.length !== 2) throw new UsageError('diff needs OLD and NEW folders, or --git A B [DIR], or --patch FILE [DIR]');
    return fromTrees(args[0], args[1]);
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(e.message);
    throw e;
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('diff')
    .description('the per-CPU cost of a change: two trees, two git revisions (--git A B [DIR]) or a tree plus a patch (--patch FILE [DIR])')
    .argument('[args...]', 'OLD NEW | A B [DIR] with --git | A [DIR] with --git --working-tree | [DIR] with --patch')
    .option('--git', 'compare two revisions of the git repository holding DIR (default .); the checkout is not touched')
    .option('--working-tree', 'with --git A [DIR]: revision A against the working tree as it is (uncommitted and untracked files included)')
    .option('--patch <file>', 'a patch or mbox as mailed; applied to copies of the files it touches')
    .option('-p, --strip <n>', 'leading path components to strip from patch paths', parseIntOption('--strip', 0, 64), 1);
  profileOptions(cmd, {
    config: '.config for both sides (default: the .config in OLD, or in DIR, if present)',
    counts: 'call-site counts: JSON {"file:line": n} or lines "file:line n" (looked up by each side\'s own line numbers)',
    noRules: 'skip the rules (no diagnostics compared)',
  })
    .option('--json', 'print one JSON document')
    .option('--markdown', 'print Markdown for a CI comment')
    .option('--sarif', 'print SARIF 2.1.0 of the diagnostics the change introduces')
    .action(async (args: string[], o: Opts) => {
      if ([o.json, o.markdown, o.sarif].filter(Boolean).length > 1) throw new UsageError('--json, --markdown and --sarif are exclusive');
      wholeTreeRun();
      const m = materialise(args, o);
      // an interrupted run still removes its temporary folder
      const onSignal = (sig: NodeJS.Signals) => {
        m.cleanup();
        process.exit(sig === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        // the .config of the folder the user named (OLD in trees mode, else DIR)
        const userDir = path.resolve((o.workingTree ? args[1] : o.git ? args[2] : o.patch ? args[0] : args[0]) ?? '.');
        const p = resolveProfileOptions(o, userDir);
        const r = await diffEstimates(m, {
          arch: p.arch, config: p.config, kernel: o.kernel, nrCpus: o.nrCpus, cpus: o.cpus, counts: p.counts, instances: o.instances,
          rules: o.rules, rulesOn: p.rulesOn, include: p.include, exclude: p.exclude, cacheDir: p.cacheDir,
          compact: heapCompactor(), compactShort: heapCompactor(SHORT_GROWTH, Infinity, Infinity),
        });
        if (o.json) process.stdout.write(JSON.stringify(r, null, 1) + '\n');
        else if (o.sarif) process.stdout.write(JSON.stringify(diffToSarif(r), null, 1) + '\n');
        else if (o.markdown) process.stdout.write(formatDiffMarkdown(r));
        else process.stdout.write(formatDiffText(r));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        m.cleanup();
      }
    });
}
