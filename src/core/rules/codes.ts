// The one table of diagnostic codes. Codes are stable: users filter on them and README anchors
// (`#pcpu001` ...) document them, so never renumber; add new ids at the end.

export type CodeId = 'PCPU001' | 'PCPU002' | 'PCPU003' | 'PCPU004' | 'PCPU005' | 'PCPU006' | 'PCPU007';
export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface CodeInfo {
  id: CodeId;
  /** short title, as in README's heading for the code */
  title: string;
  severity: Severity;
}

export const CODES: Record<CodeId, CodeInfo> = {
  PCPU001: { id: 'PCPU001', title: 'NR_CPUS-sized array of per-CPU state', severity: 'warning' },
  PCPU002: { id: 'PCPU002', title: 'hot shared refcount', severity: 'info' },
  PCPU003: { id: 'PCPU003', title: 'per_cpu_ptr/per_cpu with smp_processor_id(), or get_cpu_var without put_cpu_var', severity: 'warning' },
  PCPU004: { id: 'PCPU004', title: 'needless cacheline padding in per-CPU data', severity: 'info' },
  PCPU005: { id: 'PCPU005', title: 'large per-CPU allocation against the budget', severity: 'warning' },
  PCPU006: { id: 'PCPU006', title: 'alloc_percpu without __percpu, or missing free_percpu on an error path', severity: 'warning' },
  PCPU007: { id: 'PCPU007', title: 'module per-CPU data larger than the reserved area', severity: 'error' },
};

export const CODE_IDS = Object.keys(CODES) as CodeId[];

/** README section documenting the codes; each code has a `### PCPU00N` heading. */
export const README_URL = 'https://example.invalid/percpu-lens/blob/main/README.md';

export function docsUrl(id: string): string {
  return `${README_URL}#${id.toLowerCase()}`;
}
