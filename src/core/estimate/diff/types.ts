// What `diff` answers. Field names of the CLI contract (DESIGN.md) are kept: static, dynamic, items
// (kind, name, file, line, before, after, delta), firstChunk.before/after, diagnostics.added/removed.
// Every byte figure is per CPU unless its name says otherwise.
import type { Diagnostic } from '../../rules/types';
import type { FirstChunkView } from '../types';

export interface Delta { before: number; after: number; delta: number }

export type ItemKind = 'static' | 'alloc' | 'nr_cpus_array' | 'module';

export interface DiffItem {
  kind: ItemKind;
  status: 'added' | 'removed' | 'changed';
  name: string;
  file: string;
  /** line in NEW (in OLD for a removed item) */
  line: number;
  oldLine?: number;
  /** bytes per CPU (0 on the side where the item is absent); for an NR_CPUS array, bytes per array slot */
  before: number;
  after: number;
  delta: number;
  /** what else changed: type, expression, section, alignment, count */
  detail?: string;
  /** NR_CPUS arrays: bytes of one array at NR_CPUS, and the instances a struct field is priced for */
  atNrCpus?: Delta;
  instances?: number;
}

export interface DiagnosticChange extends Diagnostic {
  /** what the diagnostic is matched by besides code and file: the source text it points at */
  symbol: string;
}

export interface DiffResult {
  old: { root: string; label: string };
  new: { root: string; label: string };
  arch: string;
  kernel: string;
  config: { source: string; nrCpus: number; possibleCpus: number };
  /** files NEW replaces in OLD's tree (patch and git inputs) */
  changedFiles?: string[];
  summary: { added: number; removed: number; grew: number; shrank: number; up: number; down: number; net: number };
  items: DiffItem[];
  /** the linked static area (s) */
  static: Delta;
  /** dynamic allocations counted from call sites, per CPU */
  dynamic: Delta;
  /** modules' .data..percpu placed in the reserved chunk */
  reserved: Delta;
  firstChunk: {
    before: FirstChunkView | { error: string };
    after: FirstChunkView | { error: string };
    /** which of the first chunk's numbers the change moves */
    changed: { pagesPerCpu: boolean; unitSize: boolean; dynamic: boolean; static: boolean };
  };
  totals: {
    cpus: number;
    nrCpus: number;
    /** static + reserved used + dynamic, bytes per CPU */
    perCpu: Delta;
    /** perCpu × possible CPUs */
    atCpus: Delta;
    /** perCpu × NR_CPUS */
    atNrCpus: Delta;
    /** Σ NR_CPUS arrays at NR_CPUS (struct fields × instances) */
    nrCpusArrays: Delta;
  };
  diagnostics: { added: DiagnosticChange[]; removed: DiagnosticChange[]; changed: number };
  unresolved: { added: { file: string; line: number; name?: string; reason: string }[]; removed: { file: string; line: number; name?: string; reason: string }[] };
  /** what the inputs were turned into (files touched, how a revision was read) */
  notes: string[];
  warnings: string[];
  stats: {
    msOld: number; msNew: number; msRescan: number; filesRescanned?: number;
    /** why NEW read Kbuild and the headers again instead of re-using OLD's (absent: re-used) */
    notShared?: string;
    /** NEW took OLD's per-file results and redid only the files the change reaches (changed, or including a changed file): how many */
    filesRedone?: number;
    /** OLD came from the result cache (the tree and options of an earlier run): it cost one walk of the tree's stats */
    oldCached?: boolean;
    /** with OLD from the saved result: wall ms per step (the stamp walk, reading the saved files, NEW's session, NEW's own phases as new.*) */
    phases?: Record<string, number>;
  };
}
