// Trace events attributed through the file's call graph: gcc inlines a static helper into its caller,
// so the event names the caller (mm/slub.c: do_kmem_cache_create -> kmem_cache_open ->
// alloc_kmem_cache_cpus, where the alloc_percpu stands). A name that starts with an annotation word
// (__percpu_init_rwsem) is a function name, not the annotation.
import * as assert from 'assert';
import { countsFromTrace, parseTrace } from '../../src/core/estimate/counts';
import { headerFunctionsCalled, headerSitesReached, reachableSites } from '../../src/core/estimate/traceAttribution';
import { blankAnnotations } from '../../src/core/parse/annotations';

const SLUB = `// SPDX-License-Identifier: GPL-2.0
static int alloc_kmem_cache_cpus(struct kmem_cache *s)
{
	s->cpu_slab = __alloc_percpu(sizeof(struct kmem_cache_cpu),
				     2 * sizeof(void *));
	return s->cpu_slab ? 1 : 0;
}

static int init_kmem_cache_nodes(struct kmem_cache *s)
{
	return 1;
}

static int kmem_cache_open(struct kmem_cache *s, slab_flags_t flags)
{
	if (!init_kmem_cache_nodes(s))
		goto error;
	if (alloc_kmem_cache_cpus(s))
		return 0;
error:
	return -EINVAL;
}

int do_kmem_cache_create(struct kmem_cache *s, const char *name,
			 unsigned int size, struct kmem_cache_args *args,
			 slab_flags_t flags)
{
	return kmem_cache_open(s, flags);
}

void unrelated(void)
{
	void __percpu *p = alloc_percpu(long);
}
`;
// the 6.12 field layout (include/trace/events/percpu.h), as in a real boot's trace
const EVENT = (fn: string, size: number) => `  swapper-1 [000] ..... 0.5: percpu_alloc_percpu: call_site=${fn}+0x1c1/0x4f0 reserved=0 is_atomic=0 size=${size} align=16 base_addr=ffff8c203ec3b000 off=2400 ptr=000000000003b960 bytes_alloc=128 gfp_flags=GFP_KERNEL`;

describe('trace attribution through inlined static functions', () => {
  const sites = [
    { file: 'mm/slub.c', line: 4, func: 'alloc_kmem_cache_cpus', size: 32 },
    { file: 'mm/slub.c', line: 41, func: 'unrelated', size: 8 },
  ];
  const textOf = (f: string) => (f === 'mm/slub.c' ? SLUB : undefined);

  it('finds the sites a traced function reaches through the functions of its file', async () => {
    assert.deepStrictEqual(await reachableSites('do_kmem_cache_create', sites, textOf), [sites[0]]);
    assert.deepStrictEqual(await reachableSites('init_kmem_cache_nodes', sites, textOf), []);
    assert.deepStrictEqual(await reachableSites('not_in_the_file', sites, textOf), []);
  });

  it('counts do_kmem_cache_create\'s events at alloc_kmem_cache_cpus\'s line', async () => {
    const { events } = parseTrace([EVENT('do_kmem_cache_create', 32), EVENT('do_kmem_cache_create', 32), EVENT('elsewhere', 64)].join('\n'));
    const direct = countsFromTrace(events, sites);
    assert.strictEqual(direct.attributedBytes, 0);
    const r = countsFromTrace(events, sites, new Map([['do_kmem_cache_create', await reachableSites('do_kmem_cache_create', sites, textOf)]]));
    assert.deepStrictEqual([...r.counts], [['mm/slub.c:4', 2]]);
    assert.strictEqual(r.attributedBytes, 64);
    assert.strictEqual(r.tracedBytes, 128);
    assert.deepStrictEqual(r.unmatched, [{ func: 'elsewhere', size: 64, count: 1 }]);
  });

  it('annotation words end where identifiers end', () => {
    const t = 'int __percpu_init_rwsem(struct percpu_rw_semaphore *sem) { int __percpu *p; }';
    const b = blankAnnotations(t, [[0, t.length]]);
    assert.ok(b.startsWith('int __percpu_init_rwsem('), b);
    assert.ok(b.includes('int          *p'), b);
  });
});

// 6.12's include/linux/mm_types.h and kernel/fork.c, cut down: the allocation stands in a header's
// inline function reached through its alloc_hooks() macro; gcc inlines it, so the trace names mm_init
// (13 x 16 B on Debian's amd64 boot at 4 CPUs, test/fixtures/boots/amd64-4.trace).
const FORK = `static struct mm_struct *mm_init(struct mm_struct *mm, struct task_struct *p,
	struct user_namespace *user_ns)
{
	if (mm_alloc_pgd(mm))
		goto fail_nopgd;
	if (mm_alloc_cid(mm))
		goto fail_cid;
	return mm;
}

static int other(void)
{
	return 0;
}
`;

describe('trace attribution into header inline functions', () => {
  const header = { file: 'include/linux/mm_types.h', line: 1250, func: 'mm_alloc_cid_noprof', size: 16 };
  const files = new Map([['kernel/fork.c', FORK], ['kernel/other.c', 'int mm_init(void) { return 0; }\n']]);
  // the names each file's text holds (FactStore.mentions answers a subset of these)
  const mentions = (f: string) => new Set(files.get(f)?.match(/\w+/g) ?? []);

  it('a built file calling the header function (or its alloc_hooks macro) makes its site built', () => {
    assert.deepStrictEqual([...headerFunctionsCalled(['mm_alloc_cid_noprof', 'fc_lport_init_stats'], [...files.keys()], mentions)], ['mm_alloc_cid_noprof']);
  });

  it('mm_init\'s events go to the header\'s line', async () => {
    const reached = await headerSitesReached(['mm_init', 'other'], [header], [...files.keys()], mentions, (f) => files.get(f));
    assert.deepStrictEqual([...reached], [['mm_init', [header]]]);
    const lines = Array.from({ length: 13 }, () => EVENT('mm_init', 16));
    const r = countsFromTrace(parseTrace(lines.join('\n')).events, [], reached);
    assert.deepStrictEqual([...r.counts], [['include/linux/mm_types.h:1250', 13]]);
    assert.strictEqual(r.attributedBytes, 13 * 16);
  });

  it('an event no sized site matches goes to the one site whose size only the run knows', () => {
    // arch/arm64/kernel/fpsimd.c: sve_efi_setup's __alloc_percpu(SVE_SIG_REGS_SIZE(...max_vl...)), inlined into sve_setup
    const sites = [{ file: 'arch/arm64/kernel/fpsimd.c', line: 1137, func: 'sve_efi_setup' }, { file: 'arch/arm64/kernel/fpsimd.c', line: 900, func: 'sve_setup', size: 4 }];
    const r = countsFromTrace(parseTrace(EVENT('sve_setup', 8736)).events, [], new Map([['sve_setup', sites]]));
    assert.deepStrictEqual([...r.counts], [['arch/arm64/kernel/fpsimd.c:1137', 1]]);
  });
});
