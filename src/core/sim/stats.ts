// CONFIG_PERCPU_STATS: the counters and the text of /sys/kernel/debug/percpu_stats
// (mm/percpu-stats.c; docs/allocator.md §3.7).

import type { PercpuAllocator, GlobalStats } from './allocator';
import type { Chunk } from './chunk';
import { MIN_ALLOC_SIZE } from './chunk';
import { findLastBit, findNextBit, testBit } from './bitmap';

export interface ChunkStats {
  title: string; id: number;
  nr_alloc: number; max_alloc_size: number; empty_pop_pages: number; first_bit: number; free_bytes: number;
  contig_bytes: number; sum_frag: number; max_frag: number; cur_min_alloc: number; cur_med_alloc: number; cur_max_alloc: number;
}

export interface PercpuStats {
  ai: { unit_size: number; static_size: number; reserved_size: number; dyn_size: number; atom_size: number; alloc_size: number };
  global: GlobalStats;
  chunks: ChunkStats[];
}

/** chunk_map_stats: walk areas from start_offset to the last allocated bit using the boundary map */
export function chunkStats(ch: Chunk, title: string): ChunkStats {
  const endBits = ch.endOffset / MIN_ALLOC_SIZE;
  // find_last_bit returns its size argument when nothing is set; the kernel then tests that bit
  let last = findLastBit(ch.alloc, ch.mapBits - endBits - 1);
  last = testBit(ch.alloc, last) ? last + 1 : 0;
  const sizes: number[] = [];
  let start = ch.startOffset / MIN_ALLOC_SIZE;
  while (start < last) {
    let end: number;
    let sign: number;
    if (testBit(ch.alloc, start)) {
      end = findNextBit(ch.bound, last, start + 1);
      sign = 1;
    } else {
      end = findNextBit(ch.alloc, last, start + 1);
      sign = -1;
    }
    sizes.push(sign * (end - start) * MIN_ALLOC_SIZE);
    start = end;
  }
  let sumFrag = 0, maxFrag = 0, curMin = 0, curMed = 0, curMax = 0;
  if (sizes.length) {
    sizes.sort((a, b) => a - b);
    let i = 0;
    for (; i < sizes.length && sizes[i] < 0; i++) {
      sumFrag -= sizes[i];
      maxFrag = Math.max(maxFrag, -sizes[i]);
    }
    curMin = sizes[i] ?? 0;
    curMed = sizes[Math.floor((i + sizes.length - 1) / 2)];
    curMax = sizes[sizes.length - 1];
  }
  return {
    title, id: ch.id, nr_alloc: ch.nrAlloc, max_alloc_size: ch.maxAllocSize, empty_pop_pages: ch.nrEmptyPopPages,
    first_bit: ch.cmd.firstFree[0], free_bytes: ch.freeBytes, contig_bytes: ch.cmd.contigHint[0] * MIN_ALLOC_SIZE,
    sum_frag: sumFrag, max_frag: maxFrag, cur_min_alloc: curMin, cur_med_alloc: curMed, cur_max_alloc: curMax,
  };
}

export function collectStats(a: PercpuAllocator): PercpuStats {
  const fc = a.fc;
  return {
    ai: { unit_size: fc.unitSize, static_size: fc.static, reserved_size: fc.reserved, dyn_size: fc.dynamic, atom_size: fc.atomSize, alloc_size: fc.allocSize },
    global: { ...a.g, empty_pop_pages: a.nrEmptyPopPages },
    chunks: a.statsOrder().map(({ chunk, title }) => chunkStats(chunk, title)),
  };
}

const row = (k: string, v: number): string => `  ${k.padEnd(20)}: ${String(v).padStart(12)}\n`;
const RULE = '----------------------------------------\n';

/** The text of /sys/kernel/debug/percpu_stats */
export function formatStats(st: PercpuStats): string {
  let t = 'Percpu Memory Statistics\nAllocation Info:\n' + RULE;
  for (const [k, v] of Object.entries(st.ai)) t += row(k, v);
  t += '\nGlobal Stats:\n' + RULE;
  for (const [k, v] of Object.entries(st.global)) t += row(k, v);
  t += '\nPer Chunk Stats:\n' + RULE;
  for (const c of st.chunks) {
    t += c.title + '\n';
    const { title: _t, id: _i, ...fields } = c;
    for (const [k, v] of Object.entries(fields)) t += row(k, v);
    t += '\n';
  }
  return t;
}
