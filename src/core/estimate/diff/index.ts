// `diff`: the per-CPU cost of a change (docs/diff.md). Inputs (two trees, two git revisions, a
// tree plus a patch) become two sides (materialise.ts); both are estimated under one profile
// (run.ts), an overlay side re-using the other's scan and prepared state; the results are compared
// item by item (compare.ts) and reported (format.ts).
import { compare } from './compare';
import { runDiff, DiffEstimateOptions } from './run';
import type { Materialised } from './materialise';
import type { DiffResult } from './types';

export * from './types';
export { fromTrees, fromPatch, fromGit, fromWorkingTree, InputError } from './materialise';
export type { Materialised, DiffSide } from './materialise';
export { patchedFiles } from './patchFiles';
export { formatDiffText, formatDiffMarkdown, diffToSarif, summaryLine } from './format';
export type { DiffEstimateOptions } from './run';

/** Estimates both sides of `m` and compares them. The caller owns m (and its cleanup). */
export async function diffEstimates(m: Materialised, o: DiffEstimateOptions): Promise<DiffResult> {
  const run = await runDiff(m, o);
  const c = compare(run.before, run.after, run.textOf);
  return {
    old: { root: m.old.root, label: m.old.label },
    new: { root: m.new.root, label: m.new.label },
    ...(run.changedFiles ? { changedFiles: run.changedFiles } : {}),
    ...c,
    notes: m.notes,
    stats: { msOld: run.ms.old, msNew: run.ms.new, msRescan: run.ms.rescan, ...(run.changedFiles ? { filesRescanned: run.changedFiles.length } : {}),
      ...(run.changedFiles && run.notShared ? { notShared: run.notShared } : {}), ...(run.before.stats.resultCached ? { oldCached: true } : {}) },
  };
}
