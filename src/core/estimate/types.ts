// The main job's result: one object for the CLI (text, JSON, SARIF) and the extension (webview, log).
// The JSON the CLI prints with --json (README, CLI); field names stay stable, new ones are added.
import type { ReplayResult } from '../sim/trace';
import type { Diagnostic } from '../rules/types';

import type { ScanStats } from '../parse/types';
import type { OrderReport } from './compiledOrder';

export interface Located {
  file: string;
  line: number;
}

export interface StaticVariable extends Located {
  name: string;
  type: string;
  macro: string;
  size: number;
  align: number;
  /** input section suffix: '' is .data..percpu */
  section: string;
  offset: number;
}

export interface ModuleUsage {
  name: string;
  files: string[];
  size: number;
  align: number;
  variables: StaticVariable[];
  /** whether it fits the reserved chunk (or the dynamic area when the arch has none) when loaded in order */
  loaded: boolean;
  messages: string[];
}

export interface Callsite extends Located {
  func?: string;
  /** a call of the function holding the alloc_percpu site, priced with this caller's arguments: that site */
  callee?: { file: string; line: number; func: string };
  /** what the price assumes that the source does not fix (an alignment read at boot) */
  note?: string;
  expr: string;
  size: number;
  align: number;
  count: number;
  /** size rounded to the allocator's 4-byte granule × count: bytes per CPU */
  total: number;
  countSource: 'default' | 'counts' | 'trace';
}

export interface NrCpusArray extends Located {
  name: string;
  container?: string;
  elemType: string;
  elemSize: number;
  elemAlign: number;
  dims: string[];
  /** other dimensions multiplied (e.g. [NR_CPUS][4] → 4) */
  perCpuElems: number;
  bytesAtNrCpus: number;
  bytesAtPossible: number;
  /** the same state as a per-CPU allocation: elements rounded to 4 bytes × units of the first chunk */
  perCpuRewrite: number;
  instances: number;
  heuristic: string;
}

export interface Unresolved extends Located {
  name?: string;
  kind: string;
  reason: string;
}

export interface NotBuilt extends Located {
  name: string;
  kind: string;
  reason: string;
}

export interface FirstChunkView {
  pagesPerCpu: number;
  static: number;
  reserved: number;
  dynamic: number;
  unitSize: number;
  allocSize: number;
  atomSize: number;
  unitsPerAlloc: number;
  nrUnits: number;
  groups: { cpus: number[] }[];
  bootLine: string;
  bootLines: string[];
}

export interface EstimateResult {
  root: string;
  arch: string;
  kernel: string;
  config: { source: string; nrCpus: number; possibleCpus: number; smp: boolean; modules: boolean; warnings: string[] };
  /** `order`: present when the objects' order came from compiling them (EstimateOptions.compiler) */
  static: { bytes: number; padding: number; variables: StaticVariable[]; sections: { section: string; start: number; end: number }[]; order?: OrderReport };
  reserved: { bytes: number; used: number; modules: ModuleUsage[] };
  dynamic: { bytes: number; callsites: Callsite[]; unmatchedTrace?: { func: string; size: number; count: number }[];
    /** --trace: the events replayed in order on this first chunk (sim/trace.ts); totals.meminfoPercpuKb is its result */
    traceReplay?: ReplayResult;
    /** --trace: share of the traced (non-reserved) bytes attributed to a call site's file:line */
    traceAttributed?: number };
  nrCpusArrays: NrCpusArray[];
  firstChunk: FirstChunkView | { error: string };
  /** memory the configuration costs: per-CPU area populated × units, as /proc/meminfo's Percpu: */
  totals: { perCpuBytes: number; allCpusBytes: number; meminfoPercpuKb?: number; unresolvedItems: number };
  chunks?: unknown;
  notBuilt: NotBuilt[];
  declares: number;
  unresolved: Unresolved[];
  /** what the rules found in the scanned tree, priced under this configuration */
  diagnostics: Diagnostic[];
  errors: { file: string; message: string }[];
  stats: { filesSeen: number; filesParsed: number; ms: number; rulesMs?: number; scan?: ScanStats;
    /** wall ms per phase (PhaseClock): listing, kbuild, wrappers, scan (waiting for the workers), sizing, rules */
    phases?: Record<string, number>;
    /** the result came from the result cache (resultCache.ts): the tree and options were those of an earlier run */
    resultCached?: boolean;
    /** an edit since the saved run: `changed` files differed, `redone` files' work was done again, the rest taken from its parts (editReuse.ts) */
    partsReused?: { changed: number; redone: number };
    /** why a saved run's parts could not serve after an edit (the estimate ran whole) */
    partsNotReused?: string };
}
