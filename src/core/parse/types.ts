// Findings of the scan: one per per-CPU construct seen in the source (see issue 2).
export type FindingKind = 'static' | 'declare' | 'alloc' | 'free' | 'nr_cpus_array' | 'refcount';

export const FINDING_KINDS: readonly FindingKind[] = ['static', 'declare', 'alloc', 'free', 'nr_cpus_array', 'refcount'];

export interface Finding {
  kind: FindingKind;
  file: string;
  line: number; // 1-based
  column: number; // 1-based
  endLine: number;
  endColumn: number;
  name: string; // variable / field / pointer-target name ('' if none, e.g. alloc result unused)
  type: string; // C type text as written, normalized whitespace ('' if unknown)
  macro: string; // DEFINE_PER_CPU_ALIGNED, alloc_percpu_gfp, NR_CPUS, atomic_t ...
  isStatic?: boolean;
  sizeExpr?: string;
  alignExpr?: string;
  gfpExpr?: string;
  section?: string; // DEFINE_PER_CPU_SECTION's third argument
  dims?: string[]; // array dimensions as written
  container?: string; // 'struct foo' when the finding is a struct/union field
  func?: string; // enclosing function name
  assignedTo?: string; // lvalue the alloc result is assigned to
  cond?: string; // enclosing #if conditions as one C preprocessor expression; absent if unconditional
  unresolved?: string; // seen but not understood: the reason
}

export interface ScanFileResult {
  file: string;
  findings: Finding[];
  errors: string[];
}

export interface ScanStats {
  filesSeen: number;
  bytesSeen: number;
  filesParsed: number; // files that passed the byte prefilter
  bytesParsed: number;
  filesTreeSitter: number; // files with at least one chunk handed to tree-sitter
  bytesTreeSitter: number; // bytes actually handed to tree-sitter (chunks around triggers)
  filesSkipped: number; // too large, unreadable, ...
  filesCached?: number; // findings taken from the cache instead of parsing
  filesUnchanged?: number; // not read at all: same stat as in the stat index (statIndex.ts)
  ms: number;
}

export interface ScanResult {
  root: string;
  findings: Finding[];
  errors: { file: string; message: string }[];
  stats: ScanStats;
  /** files calling per-CPU accessors the rules check (PCPU003), whether or not they hold findings */
  accessorFiles?: string[];
}

export interface ScanTreeOptions {
  include?: string[]; // globs relative to the root; default **/*.c and **/*.h
  exclude?: string[];
  workers?: number; // 0 = scan in this thread
  maxFileBytes?: number;
  parseTimeoutMs?: number;
  /** cache scan results by content hash in this folder (see cache.ts); none when absent */
  cacheDir?: string;
  signal?: AbortSignal;
  /** `stage`: 'checking the scan cache' while unchanged files are looked up, else absent (scanning) */
  onProgress?: (done: number, total: number, stage?: string) => void;
  /** called once the files are listed, as the scanning starts (the caller can then use this thread) */
  onListed?: (total: number) => void;
  /** the files walkTree would list, as the caller already has them (walk.ts listedFrom): no walk */
  listed?: readonly string[];
  /** files' stats the caller already took (the tree's stamp), by root-relative path: no stat of those */
  knownStats?: (rel: string) => [number, number, number, number] | undefined;
}
