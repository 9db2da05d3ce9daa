/*
 * The per-CPU allocator, in our words (a model of mm/percpu.c; details in docs/allocator.md).
 *
 * Every CPU needs its own copy of each per-CPU variable. The kernel lays those copies out in
 * *units*: one unit per CPU, all the same size (unit_size). A *chunk* is a set of units, one for
 * every possible CPU, and an allocation takes the same offset in every unit of its chunk: 512 bytes
 * at offset 6K of a chunk are 512 bytes at 6K of unit 0, of unit 1, ... So one unit drawn to scale
 * is a picture of the whole chunk, and a per-CPU pointer plus a CPU's unit offset is that CPU's copy.
 *
 *   chunk c0 (first)            chunk c1                    chunk c2
 *   | u0 | u1 | u2 | u3 |  ...  | u0 | u1 | u2 | u3 |  ...  | u0 | u1 | ...
 *
 * The *first chunk* is built at boot, before any allocator runs (firstChunk.ts). Its units hold the
 * static per-CPU data linked into vmlinux (s), then a *reserved* area for the static per-CPU data of
 * modules (r, x86_64 and generic arches; none on i386 and ppc64), then a *dynamic* area (d) that
 * serves alloc_percpu() until slab is up. s + r + d is rounded to pages; the unit is at least
 * PCPU_MIN_UNIT_SIZE. Units are grouped by NUMA node and handed out in *allocations* of atom_size
 * (2 MiB on x86_64), several units per allocation when they fit, as long as the empty units this
 * creates waste no more than a third of the CPUs. The kernel then prints
 * "percpu: Embedded N pages/cpu sS rR dD uU" (bootLines.ts).
 *
 * Later allocations come from chunks created on demand in vmalloc space (allocator.ts), populated
 * page by page as allocations touch them. Each chunk keeps an *allocation map* (chunk.ts): one bit per
 * 4 bytes of a unit, plus a boundary map marking where each allocation starts and ends. To avoid
 * scanning bits, each page-sized block keeps hints (largest free run, a scan hint, first free bit,
 * free bits at its left and right edge), and the chunk keeps the same hints for all its blocks.
 * Chunks sit on *slot* lists by their largest free run, and allocation searches from the slot that
 * can hold the request upward, taking the first fit, so small requests fill the fullest chunks.
 * Module static data is served only from the reserved area; when it is full, the module fails to
 * load. A background job keeps a few empty populated pages ready for atomic allocations, frees empty
 * chunks and gives back empty pages of sparse ones.
 *
 * era.ts holds the constants that changed across kernel versions; ../config/arch.ts the arch facts.
 */
export { buildFirstChunk, groupCpus, FirstChunkInput, FirstChunk, FirstChunkGroup, MAX_CPUS } from './firstChunk';
export { PercpuAllocator, AllocatorOptions, AllocResult, AllocTag, GlobalStats, CHUNK_PTR_STRIDE } from './allocator';
export { PercpuStats, ChunkStats, formatStats } from './stats';
export { ChunkMapSnapshot } from './snapshot';
export { moduleRefCost, refScheme, perCpuObjectCost, RefScheme, RefCost } from './history';
export { eraConstants, parseKernel, DEFAULT_KERNEL, EraConfig } from './era';
export { parseCpulist, parseGroups, formatCpulist } from './cpus';
