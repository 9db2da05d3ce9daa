// Rule inputs and outputs. Rules read the scan's Findings (plus the file text where they need
// syntax) and produce Diagnostics whose message states the cost in bytes under `profile`.
import type { Finding } from '../parse/types';
import type { CodeId, Severity } from './codes';
import type { Sizer } from '../layout/sizer';
import type { RefcountReader } from './refcountFacts';

export type { Sizer } from '../layout/sizer';

export interface Fix { title: string; edits: TextEdit[] }

export interface TextEdit { line: number; column: number; endLine: number; endColumn: number; newText: string }

export interface Diagnostic {
  code: CodeId;
  severity: Severity;
  message: string;
  file: string;
  line: number; column: number; endLine: number; endColumn: number; // 1-based, end exclusive
  related?: Array<{ file: string; line: number; message: string }>;
  fix?: Fix;
  /** other rewrites the message names (e.g. this_cpu_read when v's type is unknown), after `fix` */
  moreFixes?: Fix[];
  /** the cost the message states */
  bytes?: number;
  /** the numbers the message is made from (JSON, SARIF properties) */
  numbers?: DiagnosticNumbers;
  /** 'tree': found by a cross-file rule, which only a whole-tree run (the estimate) can make */
  scope?: 'tree';
}

/** Every number a diagnostic's text states, by name. Absent fields do not apply to the code. */
export interface DiagnosticNumbers {
  /** bytes one CPU pays for the object as written */
  bytesPerCpu?: number;
  /** CPUs (or allocator units) the per-CPU cost is multiplied by */
  cpus?: number;
  nrCpus?: number;
  instances?: number;
  /** bytes in all as written (bytesPerCpu × cpus or × NR_CPUS, × instances) */
  totalBytes?: number;
  /** bytes per CPU of the suggested rewrite, and in all */
  perCpuBytes?: number;
  perCpuTotalBytes?: number;
  /** bytes per CPU the message calls wasted (padding, leak), and the budget it is weighed against */
  wastedBytesPerCpu?: number;
  limitBytes?: number;
  /** how many uses or call sites the message counts */
  uses?: number;
}

export interface RuleProfile {
  nrCpus: number;
  possibleCpus: number;
  nrUnits: number;
  cacheLine: number;
  pageSize: number;
  unitSize: number;
  dynamicReserve: number;
  moduleReserve: number;
  /** PCPU_MIN_UNIT_SIZE of the kernel: the largest allocation pcpu_alloc accepts */
  minUnitSize: number;
  /** how many instances of a struct to assume for per-instance costs (e.g. 2000 modules) */
  instances: number;
  /** PCPU005 threshold as a fraction of the dynamic reserve (default 0.25) */
  largeFraction: number;
  ptrSize: number;
}

export interface FileRuleInput {
  file: string;
  text: string;
  findings: Finding[];
  profile: RuleProfile;
  sizer: Sizer;
  /** identifiers referenced from the arch's assembly files (.S), when the caller knows them (PCPU001) */
  asmSymbols?: ReadonlySet<string>;
}

export interface ModuleSection { name: string; size: number; files: string[]; file: string; line: number }

/**
 * File texts by path: a Map, or a reader that keeps none of them (a whole tree's texts held at once
 * were ~40 MB of a Debian kernel's peak). The tree rules read each file a few times, in one pass each.
 */
export interface FileTexts {
  keys(): Iterable<string>;
  get(file: string): string | undefined;
  has(file: string): boolean;
}

export interface TreeRuleInput {
  /** only files with findings or triggers */
  files: FileTexts;
  findings: Finding[];
  profile: RuleProfile;
  sizer: Sizer;
  modules?: ModuleSection[];
  /** call sites of a function over the whole tree; default: counted in `files` */
  callCount?: (func: string) => number;
  /** PCPU002: call sites of a refcount's inline helpers from which it counts as hot (default 20) */
  hotCallSites?: number;
  /** PCPU002's reading of `files`, with an earlier run's answers (refcountFacts.ts); default: read from `files` */
  refcounts?: RefcountReader;
}
