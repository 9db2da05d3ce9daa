// Rule inputs and outputs. Rules read the scan's Findings (plus the file text where they need
// syntax) and produce Diagnostics whose message states the cost in bytes under `profile`.
import type { Finding } from '../parse/types';
import type { CodeId, Severity } from './codes';

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
  /** 'tree': found by a cross-file rule, which only a whole-tree run (the estimate) can make */
  scope?: 'tree';
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
  /** how many instances of a struct to assume for per-instance costs (e.g. 2000 modules) */
  instances: number;
  /** PCPU005 threshold as a fraction of the dynamic reserve (default 0.25) */
  largeFraction: number;
  ptrSize: number;
}

export type SizeOf = (typeText: string, fromFile?: string) => { size: number; align: number } | { error: string };

export interface FileRuleInput {
  file: string;
  text: string;
  findings: Finding[];
  profile: RuleProfile;
  sizeOf: SizeOf;
  /** identifiers referenced from the arch's assembly files (.S), when the caller knows them (PCPU001) */
  asmSymbols?: ReadonlySet<string>;
}

export interface ModuleSection { name: string; size: number; files: string[]; file: string; line: number }

export interface TreeRuleInput {
  /** only files with findings or triggers */
  files: Map<string, string>;
  findings: Finding[];
  profile: RuleProfile;
  sizeOf: SizeOf;
  modules?: ModuleSection[];
  /** call sites of a function over the whole tree; default: counted in `files` */
  callCount?: (func: string) => number;
  /** PCPU002: call sites of a refcount's inline helpers from which it counts as hot (default 20) */
  hotCallSites?: number;
}
