// The tokens the scan reacts to, and the name rule for reference counts. One place, so the byte
// prefilter, the lexer and the extractors agree.

/** Byte strings whose absence proves a file holds no finding (checked before decoding). */
export const PREFILTER_TOKENS: readonly string[] = [
  'PER_CPU', 'percpu', 'NR_CPUS', 'atomic_t', 'atomic_long_t', 'refcount_t', 'local_t', 'kref',
];

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
