// The percpu:* trace events of a real boot (/sys/kernel/tracing/trace with trace_event=percpu:*)
// replayed in order through the allocator model: every allocation by its size, alignment and
// reserved flag, every free by the pointer it frees, so the model ends where the kernel ended and
// /proc/meminfo's Percpu: (populated pages x units) can be compared. Events start after the
// earliest dynamic allocations (SLUB's per-CPU slabs): the first traced allocation's offset in the
// first chunk tells how many bytes those took, and the replay allocates them first.
import type { PercpuAllocator } from './allocator';

export type TraceOp =
  | { kind: 'alloc'; func: string; size: number; align: number; reserved: boolean; atomic: boolean; base?: string; off?: number; ptr?: string; bytesAlloc?: number }
  | { kind: 'free'; base?: string; off?: number; ptr?: string }
  | { kind: 'create'; base?: string }
  | { kind: 'destroy'; base?: string };

const EVENTS: Record<string, TraceOp['kind']> = {
  percpu_alloc_percpu: 'alloc', percpu_free_percpu: 'free', percpu_create_chunk: 'create', percpu_destroy_chunk: 'destroy',
};

/** Every percpu:* event of a trace, in order (any era's field set; a line without a size is skipped and counted). */
export function parsePercpuTrace(text: string): { ops: TraceOp[]; warnings: string[] } {
  const ops: TraceOp[] = [];
  let bad = 0;
  for (const raw of text.split(/\r?\n/)) {
    const m = /\b(percpu_(?:alloc|free)_percpu|percpu_(?:create|destroy)_chunk):/.exec(raw);
    if (!m) continue;
    const f = new Map<string, string>();
    for (const x of raw.slice(m.index + m[0].length).matchAll(/(\w+)=(\S+)/g)) f.set(x[1], x[2]);
    const num = (k: string) => (f.has(k) ? Number(f.get(k)) : undefined);
    const kind = EVENTS[m[1]];
    const where = { ...(f.has('base_addr') ? { base: f.get('base_addr')! } : {}), ...(f.has('off') ? { off: num('off') } : {}), ...(f.has('ptr') ? { ptr: f.get('ptr')! } : {}) };
    if (kind === 'alloc') {
      const size = num('size');
      if (size === undefined || !Number.isFinite(size)) { bad++; continue; }
      ops.push({
        kind, func: (f.get('call_site') ?? '').replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/i, ''), size, align: num('align') ?? 0,
        reserved: f.get('reserved') === '1', atomic: f.get('is_atomic') === '1', ...where,
        ...(f.has('bytes_alloc') ? { bytesAlloc: num('bytes_alloc') } : {}),
      });
    } else if (kind === 'free') ops.push({ kind, ...where });
    else ops.push({ kind: kind as 'create' | 'destroy', ...(f.has('base_addr') ? { base: f.get('base_addr')! } : {}) } as TraceOp);
  }
  return { ops, warnings: bad ? [`${bad} percpu_alloc_percpu line(s) without a size were skipped`] : [] };
}

export interface ReplayResult {
  /** bytes of the untraced early allocations, from the first traced offset in the first chunk */
  earlyBytes: number;
  allocs: number;
  frees: number;
  /** traced allocations the model placed at the kernel's offset in the same chunk */
  sameOffset: number;
  /** chunks the kernel created and destroyed in the trace, and the model's live chunks after it */
  kernelChunksCreated: number;
  kernelChunksDestroyed: number;
  modelChunks: number;
  /** frees of pointers the trace never allocated (allocated before tracing began), and failures */
  unmatchedFrees: number;
  failures: string[];
  meminfoPercpuKb: number;
}

/** Replays `ops` on a fresh allocator (static area and first chunk already built; modules not loaded). */
export function replayTrace(alloc: PercpuAllocator, ops: TraceOp[]): ReplayResult {
  const first = ops.find((o): o is Extract<TraceOp, { kind: 'alloc' }> => o.kind === 'alloc' && !o.reserved && o.off !== undefined);
  const firstBase = first?.base;
  const start = alloc.firstChunk.startOffset;
  const earlyBytes = first?.off !== undefined ? Math.max(0, first.off - start) : 0;
  const failures: string[] = [];
  if (earlyBytes > 0) {
    const r = alloc.alloc(earlyBytes, 4, { nowarn: true });
    if (!r.ok) failures.push(`the ${earlyBytes} B of early allocations do not fit the first chunk`);
  }
  const live = new Map<string, number>(); // traced ptr -> model ptr
  const r: ReplayResult = { earlyBytes, allocs: 0, frees: 0, sameOffset: 0, kernelChunksCreated: 0, kernelChunksDestroyed: 0, modelChunks: 0, unmatchedFrees: 0, failures, meminfoPercpuKb: 0 };
  for (const o of ops) {
    if (o.kind === 'create') { r.kernelChunksCreated++; continue; }
    if (o.kind === 'destroy') { r.kernelChunksDestroyed++; continue; }
    if (o.kind === 'free') {
      const p = o.ptr === undefined ? undefined : live.get(o.ptr);
      if (p === undefined) { r.unmatchedFrees++; continue; }
      live.delete(o.ptr!);
      alloc.free(p);
      r.frees++;
      continue;
    }
    {
      const a = alloc.alloc(o.size, o.align || 4, { reserved: o.reserved, atomic: o.atomic, nowarn: true });
      r.allocs++;
      if (!a.ok) { failures.push(`${o.func || '?'}: ${o.size} B align ${o.align}: ${a.message}`); continue; }
      if (o.ptr) live.set(o.ptr, a.ptr);
      // the first chunk's offsets are comparable; other chunks' bases are the kernel's own addresses
      if (o.base === firstBase && o.off !== undefined && a.chunk === alloc.firstChunk.id && a.offset - alloc.firstChunk.unitBase === o.off) r.sameOffset++;
    }
  }
  r.modelChunks = alloc.chunks.size;
  r.meminfoPercpuKb = alloc.meminfoPercpuKb();
  return r;
}
