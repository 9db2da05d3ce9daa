// The percpu:* trace events of a real boot (/sys/kernel/tracing/trace with trace_event=percpu:*)
// replayed in order through the allocator model: every allocation by its size, alignment and
// reserved flag, every free by the pointer it frees, so the model ends where the kernel ended and
// /proc/meminfo's Percpu: (populated pages x units) can be compared. Events start after the
// earliest dynamic allocations (SLUB's per-CPU slabs): the first traced allocation's offset in the
// first chunk tells how many bytes those took, and the replay allocates them first. Those can
// leave holes (alignment) past which others were taken: where the kernel's first fit skips space
// that no traced allocation ever held, that space is taken too (inferredEarly).
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
  /** first-chunk areas the kernel had taken before tracing began, beyond earlyBytes: space its first
   *  fit skipped that no traced allocation held */
  inferredEarly: Array<{ off: number; size: number }>;
  allocs: number;
  frees: number;
  /** traced allocations in the first chunk, and those the model placed at the kernel's offset */
  firstChunkAllocs: number;
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
  const traced: Array<[number, number]> = []; // first-chunk ranges traced allocations held (kernel's and model's)
  const r: ReplayResult = { earlyBytes, inferredEarly: [], allocs: 0, frees: 0, firstChunkAllocs: 0, sameOffset: 0, kernelChunksCreated: 0, kernelChunksDestroyed: 0, modelChunks: 0, unmatchedFrees: 0, failures, meminfoPercpuKb: 0 };
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
      const place = () => alloc.alloc(o.size, o.align || 4, { reserved: o.reserved, atomic: o.atomic, nowarn: true });
      let a = place();
      r.allocs++;
      if (!a.ok) { failures.push(`${o.func || '?'}: ${o.size} B align ${o.align}: ${a.message}`); continue; }
      // the first chunk's offsets are comparable; other chunks' bases are the kernel's own addresses
      const inFirst = o.base === firstBase && o.off !== undefined && a.chunk === alloc.firstChunk.id;
      const at = a.offset - alloc.firstChunk.unitBase;
      if (inFirst && at < o.off! && !traced.some(([s, e]) => s < o.off! && at < e)) {
        // the kernel's first fit skipped [at, off), space no traced event ever held: it was taken
        // before tracing began (arm64's gic_init_bases: 8 B at 5584 after a 64-byte hole)
        alloc.free(a.ptr);
        if (alloc.claimFirstChunk(at, o.off! - at, { label: 'allocated before tracing (inferred)' })) {
          r.inferredEarly.push({ off: at, size: o.off! - at });
        }
        a = place();
        if (!a.ok) { failures.push(`${o.func || '?'}: ${o.size} B align ${o.align}: ${a.message}`); continue; }
      }
      if (o.ptr) live.set(o.ptr, a.ptr);
      if (inFirst) {
        r.firstChunkAllocs++;
        const got = a.chunk === alloc.firstChunk.id ? a.offset - alloc.firstChunk.unitBase : -1;
        if (got === o.off) r.sameOffset++;
        traced.push([o.off!, o.off! + o.size], ...(got >= 0 && got !== o.off ? [[got, got + o.size] as [number, number]] : []));
      }
    }
  }
  r.modelChunks = alloc.chunks.size;
  r.meminfoPercpuKb = alloc.meminfoPercpuKb();
  return r;
}

/** One line on how the replay went, for the CLI's and the report's text. */
export function replaySummary(r: ReplayResult): string {
  const inferred = r.inferredEarly.reduce((n, a) => n + a.size, 0);
  return `${r.allocs} allocations (${r.sameOffset} of ${r.firstChunkAllocs} in the first chunk at the kernel's offset), ${r.frees} frees` +
    `${r.unmatchedFrees ? ` (+${r.unmatchedFrees} of memory allocated before tracing)` : ''}, ${r.earlyBytes} B of untraced early allocations` +
    `${r.inferredEarly.length ? ` (+${inferred} B in ${r.inferredEarly.length} area(s) inferred where the kernel skipped space)` : ''}; ` +
    `chunks created by the kernel ${r.kernelChunksCreated}, model chunks ${r.modelChunks}${r.failures.length ? `; ${r.failures.length} failed in the model` : ''}`;
}
