// `diff`: the per-CPU cost of a change (docs/diff.md). Inputs (two trees, two git revisions, a
// tree plus a patch) become two sides (materialise.ts); both are estimated under one profile
// (run.ts), an overlay side re-using the other's scan and prepared state; the results are compared
// item by item (compare.ts) and reported (format.ts).
import { compare } from './compare';
import type { EstimateResult } from '../types';
import { runDiff, DiffEstimateOptions } from './run';
import type { Materialised } from './materialise';
import type { DiffResult } from './types';

export * from './types';
export { fromTrees, fromPatch, fromGit, fromWorkingTree, InputError } from './materialise';
export type { Materialised, DiffSide } from './materialise';
export { patchedFiles } from './patchFiles';
export { formatDiffText, formatDiffMarkdown, diffToSarif, summaryLine } from './format';
export type { DiffEstimateOptions } from './run';
// the one pairing of items: the CLI's diff and the editor's comparisons both go through it
export { pairItems } from './compare';
export type { PairInput, PairedItem } from './compare';

/** Estimates both sides of `m` and compares them. The caller owns m (and its cleanup). */
export async function diffEstimates(m: Materialised, o: DiffEstimateOptions): Promise<DiffResult> {
  return (await diffWithSides(m, o)).result;
}

/** The same, with the two estimates it compared (the editor draws their chunk maps). */
export async function diffWithSides(m: Materialised, o: DiffEstimateOptions): Promise<{ result: DiffResult; before: EstimateResult; after: EstimateResult }> {
  const run = await runDiff(m, o);
  const c = compare(run.before, run.after, run.textOf);
  const result: DiffResult = {
    old: { root: m.old.root, label: m.old.label },
    new: { root: m.new.root, label: m.new.label },
    ...(run.changedFiles ? { changedFiles: run.changedFiles } : {}),
    ...c,
    notes: m.notes,
    stats: { msOld: run.ms.old, msNew: run.ms.new, msRescan: run.ms.rescan, ...(run.changedFiles ? { filesRescanned: run.changedFiles.length } : {}),
      ...(run.changedFiles && run.notShared ? { notShared: run.notShared } : {}), ...(run.before.stats.resultCached ? { oldCached: true } : {}),
      ...(run.reused ? { filesRedone: run.reused.fresh } : {}), ...(run.phases ? { phases: run.phases } : {}) },
  };
  return { result, before: run.before, after: run.after };
}
