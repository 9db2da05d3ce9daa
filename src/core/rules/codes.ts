// The one table of diagnostic codes. Codes are stable: users filter on them and README anchors
// (`#pcpu001` ...) document them, so never renumber; add new ids at the end.
// Each code is a lesson one kernel patch taught; `lesson` names the patch, `rationale` says why.

export type CodeId = 'PCPU000' | 'PCPU001' | 'PCPU002' | 'PCPU003' | 'PCPU004' | 'PCPU005' | 'PCPU006' | 'PCPU007';
export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface CodeInfo {
  id: CodeId;
  /** short title, as in README's heading for the code */
  title: string;
  severity: Severity;
  /** one paragraph: what the code finds and why it costs memory or time (README repeats it) */
  rationale: string;
  /** the kernel change the lesson comes from */
  lesson: string;
}

export const CODES: Record<CodeId, CodeInfo> = {
  PCPU000: {
    id: 'PCPU000', title: 'could not size', severity: 'info',
    rationale: 'A rule matched but the size of a type it needs could not be computed (no definition under this '
      + 'config, an array bound that is not a compile-time constant). The other rules stay silent about that construct.',
    lesson: 'none: a note about the analysis itself',
  },
  PCPU001: {
    id: 'PCPU001', title: 'NR_CPUS-sized array of per-CPU state', severity: 'warning',
    rationale: 'An array indexed by CPU number and sized NR_CPUS costs NR_CPUS elements in every instance, '
      + 'even on a machine with a handful of possible CPUs; distro kernels build with NR_CPUS up to 8192. '
      + 'A per-CPU allocation (alloc_percpu) or DEFINE_PER_CPU costs one element per possible CPU and '
      + 'needs no cache-line padding, because each CPU\'s copy lives in its own unit.',
    lesson: 'the 2009 module refcount changes (2.6.29 moved the counters to per-CPU memory; e1783a240f491 (2.6.33) "module: Use this_cpu_xx to dynamically '
      + 'allocate counters"). Before them struct module held `struct module_ref { local_t count; } ____cacheline_aligned ref[NR_CPUS]`, '
      + 'NR_CPUS × 64 B in every module (256 KiB at NR_CPUS=4096).',
  },
  PCPU002: {
    id: 'PCPU002', title: 'hot shared refcount', severity: 'info',
    rationale: 'An atomic reference count taken and dropped by inline helpers from many call sites bounces '
      + 'its cache line between CPUs. A per-CPU counter (percpu_ref, or an `int __percpu *`) makes get/put '
      + 'CPU-local at a price: possible CPUs × counter size per object, and reading the count means summing '
      + 'over every possible CPU. Worth it for few, hot objects; not for millions of small ones.',
    lesson: '29b4433d991c (2.6.37) "net: percpu net_device refcount": atomic_t refcnt became '
      + '`int __percpu *pcpu_refcnt = alloc_percpu(int)`; dev_hold/dev_put became this_cpu_inc/this_cpu_dec.',
  },
  PCPU003: {
    id: 'PCPU003', title: 'per_cpu_ptr/per_cpu with smp_processor_id(), or get_cpu_var without put_cpu_var', severity: 'warning',
    rationale: 'per_cpu_ptr(p, smp_processor_id()) loads __per_cpu_offset[cpu] from memory; this_cpu_ptr(p) '
      + 'uses the per-CPU base register (%gs on x86) and this_cpu_read/write/inc are single instructions that '
      + 'are safe against preemption. get_cpu_var disables preemption; without put_cpu_var in the same '
      + 'function it stays disabled unless another function re-enables it.',
    lesson: 'the this_cpu_* operations (2.6.33, Christoph Lameter) and the series converting '
      + 'per_cpu(x, smp_processor_id()) and __get_cpu_var users to this_cpu_ptr/this_cpu_read (3.x).',
  },
  PCPU004: {
    id: 'PCPU004', title: 'needless cacheline padding in per-CPU data', severity: 'info',
    rationale: 'Cache-line alignment prevents false sharing between CPUs. Per-CPU data is already private to '
      + 'one CPU, so a ____cacheline_aligned type used only through alloc_percpu/DEFINE_PER_CPU pays the '
      + 'padding once per CPU for nothing.',
    lesson: '2.6.27 workqueue: cpu_workqueue_struct lost ____cacheline_aligned because it is only allocated '
      + 'with alloc_percpu (128 → 64 bytes per CPU).',
  },
  PCPU005: {
    id: 'PCPU005', title: 'large per-CPU allocation against the budget', severity: 'warning',
    rationale: 'Every byte of a per-CPU object is paid once per possible CPU, and the first chunk has a small '
      + 'dynamic reserve (28 KiB on 64-bit) that early and atomic allocations share; one allocation cannot '
      + 'exceed the unit minimum (32 KiB). Large objects belong in one shared allocation, or should be split.',
    lesson: 'the per-CPU "chubby" SNMP MIB statistics discussed when the dynamic allocator was designed (2009 RFC), '
      + 'and IA64, whose whole per-CPU area was 64 KiB (PERCPU_PAGE_SIZE).',
  },
  PCPU006: {
    id: 'PCPU006', title: 'alloc_percpu without __percpu, or missing free_percpu on an error path', severity: 'warning',
    rationale: 'alloc_percpu returns a `T __percpu *` cookie, not an address: stored in a pointer without '
      + '__percpu, sparse can no longer catch a direct dereference. And every goto-label unwinding path taken '
      + 'after a successful allocation must free it, or each failure leaks size × possible CPUs.',
    lesson: '29b4433d991c (2010) "net: percpu net_device refcount" added the `free_pcpu:` label to '
      + 'alloc_netdev_mq\'s unwinding so that a later failure frees dev->pcpu_refcnt.',
  },
  PCPU007: {
    id: 'PCPU007', title: 'module per-CPU data larger than the reserved area', severity: 'error',
    rationale: 'A module\'s .data..percpu section is allocated from the reserved chunk '
      + '(PERCPU_MODULE_RESERVE = 8 KiB, shared by all loaded modules). A module whose section is larger '
      + 'cannot load: "<module>: Could not allocate N bytes percpu data", insmod fails with ENOMEM.',
    lesson: 'kernel bugzilla 204119: "scsi_mod: Could not allocate 4104 bytes percpu data" once the reserve was '
      + 'shared with other modules; PERCPU_MODULE_RESERVE history (8 KiB; 32/64 KiB with memory allocation profiling in 6.10).',
  },
};

export const CODE_IDS = Object.keys(CODES) as CodeId[];

/** README section documenting the codes; each code has a `### PCPU00N` heading. */
export const README_URL = 'https://example.invalid/percpu-lens/blob/main/README.md';

export function docsUrl(id: string): string {
  return `${README_URL}#${id.toLowerCase()}`;
}
