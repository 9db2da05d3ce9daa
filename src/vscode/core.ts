// The facade between the editor and the analysis core. Everything under src/vscode talks to the core
// only through these types and createCore() (realCore.ts adapts src/core to them).
// No vscode import here: the CLI and unit tests can use the same types.
import type { ChunkMapSnapshot } from '../core/sim/snapshot';
import type { Severity } from '../core/estimate/session';
import type { DiffResult } from '../core/estimate/diff';
import { ForkedCore } from './forkedCore';

export type ItemKind = 'static' | 'declare' | 'alloc' | 'free' | 'nr_cpus_array' | 'refcount';

/** 1-based lines, 0-based columns (as the CLI prints and tree-sitter rows + 1 give). */
export interface Span { line: number; column: number; endLine: number; endColumn: number }

export interface Item extends Span {
  kind: ItemKind;
  name: string;
  type: string;
  bytesPerCpu?: number;
  align?: number;
  /** why the size is unknown */
  unresolved?: string;
  /** pahole-like layout of the type, shown in the hover */
  layoutText?: string;
  /** the type's own alignment (the layout's footer), when `align` is the variable's */
  typeAlign?: number;
  /** for nr_cpus_array: bytes of one element; total is element × NR_CPUS */
  elementBytes?: number;
}

export interface Fix { title: string; edits: Array<Span & { newText: string }> }

export interface CoreDiagnostic extends Span {
  code: string;
  severity: Severity;
  message: string;
  related?: Array<{ file: string; line: number; message: string }>;
  fix?: Fix;
  /** other rewrites the message names, offered after `fix` */
  moreFixes?: Fix[];
}

export interface FileAnalysis {
  items: Item[];
  diagnostics: CoreDiagnostic[];
  /** this edit changed the file's types or macros (not just a function body): files using them are stale */
  typesChanged?: boolean;
  /** the machine the numbers are priced for, after the core's checks (a bad CONFIG_NR_CPUS falls back
   *  to the default with a warning, as in the CLI): hints should multiply by these, not the raw settings */
  profile?: { nrCpus: number; possibleCpus: number; warnings: string[] };
}

export interface Settings {
  arch: string;
  nrCpus: number;
  possibleCpus: number;
  configPath?: string;
  /** PAGE_SHIFT when the .config in force sets another than the arch's default (profile.ts) */
  pageShift?: number;
  kernel?: string;
  include: string[];
  exclude: string[];
  /** "relative/file.c:LINE" → how many times that allocation runs */
  counts: Record<string, number>;
  /** how many instances of the analysed code are loaded (e.g. 2000 modules) */
  instances: number;
  /** CROSS_COMPILE of the gcc the estimate builds objects with for their real order ('' the host gcc; unset: the model) */
  crossCompile?: string;
  /** an existing build of the tree (its O= folder): its objects give the per-CPU order, read as they stand; with crossCompile, where objects are built */
  buildDir?: string;
}

export interface StaticVar { name: string; file: string; line: number; size: number; align: number; section: string }
/** `func`: the function the call is in (call sites pair by file, function and expression, as in `diff`) */
export interface Callsite {
  file: string; line: number; type: string; size: number; count: number; total: number; func?: string;
  /** priced at this caller: the alloc_percpu site in the function it calls, whose size is a parameter */
  callee?: { file: string; line: number; func: string };
}
/** `name`: "struct.field" for a struct field (`container` the struct), else the variable */
export interface NrCpusArray { name: string; file: string; line: number; elementBytes: number; total: number; container?: string }
export interface Unresolved { file: string; line: number; reason: string }

/** What the estimate command shows; files are relative to `root`. */
export interface EstimateView {
  root: string;
  arch: string;
  nrCpus: number;
  possibleCpus: number;
  kernel?: string;
  configPath?: string;
  filesScanned: number;
  totals: {
    staticBytes: number;
    reservedBytes: number;
    dynamicBytes: number;
    /** bytes the dynamic callsites ask for per CPU (size × count summed) */
    dynamicRequested: number;
    nrCpusArrayBytes: number;
    bootLine: string;
  };
  static: StaticVar[];
  dynamic: { callsites: Callsite[] };
  nrCpusArrays: NrCpusArray[];
  unresolved: Unresolved[];
  /** what the run says of its own numbers (the log prints them): whose order the offsets follow, its warnings */
  notes?: string[];
  snapshot: ChunkMapSnapshot;
  /** what the cross-file rules found (files relative to root); the editor publishes these after an estimate */
  treeDiagnostics?: Array<CoreDiagnostic & { file: string }>;
}

/** A diff of the working tree against a revision: the core's result, its text report (the CLI's) and
 *  the two estimates it compared, whose chunk maps the diff panel draws (tree diagnostics left out). */
export interface DiffView { result: DiffResult; text: string; before: EstimateView; after: EstimateView }

export type Progress = (done: number, total: number, msg?: string) => void;

export interface CoreFacade {
  /** `root`: the kernel tree the file belongs to (headers, arch/*.S); default its folder */
  analyzeFile(path: string, text: string, s: Settings, root?: string): Promise<FileAnalysis>;
  estimate(root: string, s: Settings, signal: AbortSignal, progress: Progress): Promise<EstimateView>;
  /** the working tree of `root` (in a git repository) against revision `rev`, under the settings' profile */
  diffWorkingTree?(root: string, rev: string, s: Settings, signal: AbortSignal, progress: Progress): Promise<DiffView>;
  /** the profile is set: get the tree ready so the first file opened is analysed quickly */
  warm?(root: string, s: Settings): Promise<void>;
  /** the editor closed the document: drop what was kept for incremental analysis */
  closeFile?(path: string): void;
  /** stop what the core runs beside the editor (its analysis process) */
  dispose?(): void;
}

/** The one place that picks the implementation. */
export function createCore(opts: { cacheDir?: string } = {}): CoreFacade {
  return new ForkedCore(opts);
}
