// The tokens the scan reacts to, and the name rule for reference counts. One place, so the byte
// prefilter, the lexer and the extractors agree.

/**
 * Byte strings whose absence proves a file holds no finding (checked before decoding, prefilter.ts):
 * every match of TRIGGER_RE holds one of them ('PER_CPU' is in DEFINE_PER_CPU* and
 * DECLARE_PER_CPU*, 'percpu' in every allocator, free_percpu, percpu_ref and __percpu). They were
 * pieces ('percp', 'R_CPU', 'ong_t') while Buffer.indexOf searched them one by one (it scans short
 * needles with memchr on the first byte); searched all at once, these let 1,100 fewer of linux
 * 6.12's files through to the lexer for the same search time (each whole trigger word as a token
 * of its own: 330 fewer again, but a 40% slower search). A few extra files still pass ('kref' in a
 * comment); the lexer's exact regex sorts them out.
 */
export const PREFILTER_TOKENS: readonly string[] = ['PER_CPU', 'NR_CPUS', 'percpu', 'atomic_t', 'atomic_long_t', 'refcount_t', 'local_t', 'kref'];

/**
 * Byte strings of the per-CPU accessors PCPU003 looks at (rules/pcpu003ThisCpu.ts: per_cpu*(…,
 * smp_processor_id()), get_cpu_var, get_cpu_ptr). They make no finding, so the scan only lists
 * the files holding them for the rules. (The pieces 'sor_id' and 'u_var' missed get_cpu_ptr: a
 * file using only that was never checked.)
 */
export const ACCESSOR_TOKENS: readonly string[] = ['smp_processor_id', 'get_cpu_var', 'get_cpu_ptr'];

export const ALLOC_FUNCS: ReadonlySet<string> = new Set([
  'alloc_percpu', 'alloc_percpu_gfp', '__alloc_percpu', '__alloc_percpu_gfp', '__alloc_reserved_percpu',
  'alloc_percpu_noprof', 'alloc_percpu_gfp_noprof', '__alloc_percpu_noprof', '__alloc_percpu_gfp_noprof',
  '__alloc_reserved_percpu_noprof',
]);
export const FREE_FUNCS: ReadonlySet<string> = new Set(['free_percpu']);

/** Field types counted as reference counts whatever the field's name. */
export const REFCOUNT_TYPES_ALWAYS: ReadonlySet<string> = new Set(['refcount_t', 'struct kref', 'struct percpu_ref']);
/** Field types counted only when the name looks like a reference count. */
export const REFCOUNT_TYPES_BY_NAME: ReadonlySet<string> = new Set(['atomic_t', 'atomic_long_t', 'local_t']);

export const TRIGGER_RE =
  /\b(?:DEFINE_PER_CPU\w*|DECLARE_PER_CPU\w*|(?:__)?alloc_percpu(?:_gfp)?(?:_noprof)?|__alloc_reserved_percpu(?:_noprof)?|free_percpu|(?:CONFIG_)?NR_CPUS|atomic_t|atomic_long_t|refcount_t|local_t|kref|percpu_ref|__percpu)\b/g;

/**
 * A name "looks like a reference count" when one of its '_'-separated parts is ref/refs/refcnt/
 * refcount/kref/usage/users/usecount/... (pcpu_refcnt, __refcnt, mm_users, usage_count, nr_refs).
 */
export const REFCOUNT_NAME_PART = /^(?:k?refs?|k?ref(?:cnt|cnts|count|counts|erence|erences)|usage|users|use(?:cnt|count)|holders?)$/i;

export function looksLikeRefcount(name: string): boolean {
  return name.split('_').some((p) => REFCOUNT_NAME_PART.test(p));
}

/**
 * Cheap lexical test that a trigger can become a finding, so that chunks which cannot hold one are
 * not parsed: NR_CPUS only inside [...], refcount types only as `TYPE name` (with the name rule
 * where it applies), __percpu only in `int __percpu *name`. Always a superset of what the
 * extractor reports.
 */
export function plausible(text: string, start: number, end: number, tok: string): boolean {
  const k = classify(tok);
  if (k === 'nr_cpus') return inBrackets(text, start);
  if (k === 'percpu_qual') {
    if (!/\b(?:int|long)\s+$/.test(text.slice(Math.max(0, start - 12), start))) return false;
    const m = /^\s*\*\s*([A-Za-z_]\w*)/.exec(text.slice(end, end + 80));
    return !!m && looksLikeRefcount(m[1]);
  }
  if (k === 'alloc' || k === 'free') return /^\s*\(/.test(text.slice(end, end + 40)); // a call, not a reference
  if (k !== 'refcount_type') return true;
  if ((tok === 'kref' || tok === 'percpu_ref') && !/\bstruct\s+$/.test(text.slice(Math.max(0, start - 12), start))) return false;
  const semi = text.indexOf(';', end);
  const decl = text.slice(end, semi < 0 || semi - end > 300 ? end + 300 : semi);
  if (!/^\s+[A-Za-z_]/.test(decl)) return false;
  if (tok === 'refcount_t' || tok === 'kref' || tok === 'percpu_ref') return true;
  return (decl.match(/[A-Za-z_]\w*/g) ?? []).some(looksLikeRefcount);
}

/** An unmatched '[' before `pos` on the way back to the previous ';', '{' or '}'. */
export function inBrackets(text: string, pos: number): boolean {
  let depth = 0;
  for (let i = pos - 1, k = 0; i >= 0 && k < 400; i--, k++) {
    const ch = text.charCodeAt(i);
    if (ch === 93 || ch === 41) depth++; // ] )
    else if (ch === 40) { if (depth > 0) depth--; } // '(' at depth 0: inside [f(NR_CPUS)], go on
    else if (ch === 91) { if (depth === 0) return true; depth--; } // [
    else if (ch === 59 || ch === 123 || ch === 125) return false; // ; { }
  }
  return false;
}

export type TriggerClass = 'static' | 'declare' | 'alloc' | 'free' | 'nr_cpus' | 'refcount_type' | 'percpu_qual';

export function classify(tok: string): TriggerClass {
  if (tok.startsWith('DEFINE_PER_CPU')) return 'static';
  if (tok.startsWith('DECLARE_PER_CPU')) return 'declare';
  if (ALLOC_FUNCS.has(tok)) return 'alloc';
  if (FREE_FUNCS.has(tok)) return 'free';
  if (tok === 'NR_CPUS' || tok === 'CONFIG_NR_CPUS') return 'nr_cpus';
  if (tok === '__percpu') return 'percpu_qual';
  return 'refcount_type';
}
