// The dynamic allocator after boot: chunks on slot lists, pcpu_alloc / free_percpu, the balance work
// (populate / depopulate / destroy), module loading through the reserved chunk, and the
// CONFIG_PERCPU_STATS counters. Follows current mm/percpu.c (docs/allocator.md §1.6, §3, §5).
// The kernel runs the balance work later from a workqueue; here it runs right after the call that
// scheduled it (or on runBalance() with balance: 'manual').

import type { ArchProfile } from '../config/arch';
import { Chunk, MIN_ALLOC_SIZE, Tag } from './chunk';
import { eraConstants } from './era';
import type { FirstChunk } from './firstChunk';
import { collectStats, formatStats, PercpuStats } from './stats';
import { snapshot, ChunkMapSnapshot } from './snapshot';

export const EMPTY_POP_PAGES_LOW = 2;
export const EMPTY_POP_PAGES_HIGH = 4;
export const SLOT_FAIL_THRESHOLD = 3;
/** distance between the percpu pointer ranges of two chunks in this model (a stand-in for vmalloc addresses) */
export const CHUNK_PTR_STRIDE = 2 ** 32;

const fls = (n: number): number => (n <= 0 ? 0 : 32 - Math.clz32(n));
const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

export type AllocTag = Tag;
export type AllocResult = { ok: true; ptr: number; chunk: number; offset: number } | { ok: false; message: string };

export interface AllocatorOptions {
  arch: ArchProfile;
  kernel?: string;
  /** 'immediate' (default): scheduled balance work runs at the end of the call; 'manual': on runBalance() */
  balance?: 'immediate' | 'manual';
  /** refuse to create more than this many chunks (models vmalloc space running out) */
  maxChunks?: number;
}

export interface GlobalStats {
  nr_alloc: number; nr_dealloc: number; nr_cur_alloc: number; nr_max_alloc: number; nr_chunks: number;
  nr_max_chunks: number; min_alloc_size: number; max_alloc_size: number; empty_pop_pages: number;
}

export class PercpuAllocator {
  readonly fc: FirstChunk;
  readonly arch: ArchProfile;
  readonly pageSize: number;
  readonly unitSize: number;
  readonly unitPages: number;
  readonly nrUnits: number;
  /** largest single allocation and the bound for its size (PCPU_MIN_UNIT_SIZE of the current kernel) */
  readonly maxAllocSize: number;
  readonly nrSlots: number;
  readonly sidelinedSlot: number;
  readonly freeSlot: number;
  readonly toDepopulateSlot: number;
  readonly slots: Chunk[][];
  readonly reservedChunk: Chunk | null;
  readonly firstChunk: Chunk;
  /** live chunks by id */
  readonly chunks = new Map<number, Chunk>();
  /** pcpu_nr_empty_pop_pages */
  nrEmptyPopPages = 0;
  /** pcpu_nr_populated (pages per unit) */
  nrPopulated = 0;
  /** kernel messages the model printed, in order (dmesg) */
  readonly log: string[] = [];
  readonly g: GlobalStats;
  private atomicAllocFailed = false;
  private balancePending = false;
  private warnLimit = 10;
  private nextId = 0;
  private readonly balanceMode: 'immediate' | 'manual';
  private readonly maxChunks: number;

  constructor(fc: FirstChunk, opts?: AllocatorOptions) {
    this.fc = fc;
    this.arch = opts?.arch ?? ({ name: fc.arch } as ArchProfile);
    this.balanceMode = opts?.balance ?? 'immediate';
    this.maxChunks = opts?.maxChunks ?? Infinity;
    const page = (this.pageSize = fc.pageSize);
    this.unitSize = fc.unitSize;
    this.unitPages = fc.unitSize / page;
    this.nrUnits = fc.nrUnits;
    const c = eraConstants(opts?.kernel ?? fc.kernel, this.arch.bits ?? 64, undefined, page);
    this.maxAllocSize = c.minUnitSize;
    // pcpu_setup_first_chunk sanity checks (BUG in the kernel)
    const { static: s, reserved: r, dynamic: d } = fc;
    if (fc.unitSize < s + r + d || fc.unitSize % page) throw new Error(`unit size ${fc.unitSize} must be page aligned and hold s+r+d=${s + r + d}`);
    if (fc.unitSize < c.minUnitSize) throw new Error(`unit size ${fc.unitSize} is below PCPU_MIN_UNIT_SIZE ${c.minUnitSize}`);
    if (r % 4) throw new Error('reserved size must be a multiple of 4');

    const base = this.sizeToSlotRaw(this.unitSize);
    this.sidelinedSlot = base + 1;
    this.freeSlot = base + 2;
    this.toDepopulateSlot = base + 3;
    this.nrSlots = base + 4;
    this.slots = Array.from({ length: this.nrSlots }, () => []);

    const staticAl = (s + 3) & ~3;
    const dyn = d - (staticAl - s);
    this.reservedChunk = r > 0 ? this.firstChunkRegion('reserved', staticAl, r) : null;
    this.firstChunk = this.firstChunkRegion('first', staticAl + r, dyn);
    this.nrEmptyPopPages = this.firstChunk.nrEmptyPopPages;
    this.relocate(this.firstChunk, -1);
    this.nrPopulated = Math.floor((s + r + d) / page);
    this.g = {
      nr_alloc: 0, nr_dealloc: 0, nr_cur_alloc: 0, nr_max_alloc: 0, nr_chunks: 1, nr_max_chunks: 1,
      min_alloc_size: this.unitSize, max_alloc_size: 0, empty_pop_pages: 0,
    };
  }

  // ---- slots ----------------------------------------------------------------------------------

  private sizeToSlotRaw(size: number): number {
    return Math.max(fls(size) - 5 + 2, 1);
  }
  private sizeToSlot(size: number): number {
    return size === this.unitSize ? this.freeSlot : this.sizeToSlotRaw(size);
  }
  private readonly slotFn = (size: number): number => this.sizeToSlot(size);

  private move(chunk: Chunk, slot: number, front: boolean): void {
    if (chunk === this.reservedChunk) return;
    if (chunk.slot >= 0) {
      const l = this.slots[chunk.slot];
      l.splice(l.indexOf(chunk), 1);
    }
    if (front) this.slots[slot].unshift(chunk); else this.slots[slot].push(chunk);
    chunk.slot = slot;
  }

  /** pcpu_chunk_relocate */
  private relocate(chunk: Chunk, oslot: number): void {
    const nslot = chunk.slotOf(this.slotFn);
    if (chunk.isolated) return;
    if (oslot !== nslot) this.move(chunk, nslot, oslot < nslot);
  }

  private readonly emptyPages = (chunk: Chunk, n: number): void => {
    chunk.nrEmptyPopPages += n;
    if (chunk !== this.reservedChunk && !chunk.isolated) this.nrEmptyPopPages += n;
  };

  private isolate(chunk: Chunk): void {
    if (!chunk.isolated) {
      chunk.isolated = true;
      this.nrEmptyPopPages -= chunk.nrEmptyPopPages;
    }
    this.move(chunk, this.toDepopulateSlot, true);
  }

  private reintegrate(chunk: Chunk): void {
    if (chunk.isolated) {
      chunk.isolated = false;
      this.nrEmptyPopPages += chunk.nrEmptyPopPages;
      this.relocate(chunk, -1);
    }
  }

  // ---- chunks ---------------------------------------------------------------------------------

  /** pcpu_alloc_first_chunk: a region of the first chunk at unit offset addr, `size` bytes usable */
  private firstChunkRegion(kind: 'reserved' | 'first', addr: number, size: number): Chunk {
    const page = this.pageSize;
    const baseAddr = Math.floor(addr / page) * page;
    const startOffset = addr - baseAddr;
    const nrPages = Math.ceil((startOffset + size) / page);
    const ch = new Chunk(this.nextId++, kind, nrPages, page, baseAddr, baseAddr, this.emptyPages);
    ch.startOffset = startOffset;
    ch.endOffset = nrPages * page - startOffset - size;
    ch.immutable = true;
    ch.populated.fill(1);
    ch.nrPopulated = nrPages;
    ch.nrEmptyPopPages = nrPages;
    ch.freeBytes = size;
    if (startOffset) ch.hide(0, startOffset / MIN_ALLOC_SIZE, true);
    if (ch.endOffset) ch.hide(ch.mapBits - ch.endOffset / MIN_ALLOC_SIZE, ch.endOffset / MIN_ALLOC_SIZE, false);
    this.chunks.set(ch.id, ch);
    return ch;
  }

  /** pcpu_create_chunk: nothing populated, all hints full */
  private createChunk(): Chunk | null {
    if (this.g.nr_chunks >= this.maxChunks) return null;
    const id = this.nextId++;
    const ch = new Chunk(id, 'dynamic', this.unitPages, this.pageSize, 0, id * CHUNK_PTR_STRIDE, this.emptyPages);
    this.chunks.set(id, ch);
    this.g.nr_chunks++;
    this.g.nr_max_chunks = Math.max(this.g.nr_max_chunks, this.g.nr_chunks);
    return ch;
  }

  private destroyChunk(ch: Chunk): void {
    for (const [s, e] of ch.ranges(1)) this.nrPopulated -= ch.setDepopulated(s, e);
    if (ch.slot >= 0) {
      const l = this.slots[ch.slot];
      l.splice(l.indexOf(ch), 1);
      ch.slot = -1;
    }
    this.chunks.delete(ch.id);
    this.g.nr_chunks--;
  }

  private populate(ch: Chunk, s: number, e: number): void {
    this.nrPopulated += ch.setPopulated(s, e);
  }

  // ---- allocation -----------------------------------------------------------------------------

  /** pcpu_alloc(size, align, reserved, gfp) */
  alloc(size: number, align: number, opts?: { reserved?: boolean; atomic?: boolean; tag?: AllocTag; nowarn?: boolean }): AllocResult {
    const r = this.allocInner(size, align, opts ?? {});
    this.afterOp();
    return r;
  }

  private fail(err: string, size: number, align: number, atomic: boolean, warn: boolean): AllocResult {
    const message = `percpu: allocation failed, size=${size} align=${align} atomic=${atomic ? 1 : 0}, ${err}`;
    if (warn && this.warnLimit) {
      this.log.push(message);
      if (!--this.warnLimit) this.log.push('percpu: limit reached, disable warning');
    }
    if (atomic) {
      this.atomicAllocFailed = true;
      this.balancePending = true;
    }
    return { ok: false, message };
  }

  private allocInner(size: number, align: number, o: { reserved?: boolean; atomic?: boolean; tag?: AllocTag; nowarn?: boolean }): AllocResult {
    if (!Number.isSafeInteger(size) || !Number.isSafeInteger(align) || size < 0 || align < 0) {
      throw new Error(`size and align must be non-negative integers, got ${size}, ${align}`);
    }
    const atomic = !!o.atomic;
    const warn = !o.nowarn;
    if (align < MIN_ALLOC_SIZE) align = MIN_ALLOC_SIZE;
    size = (size + 3) & ~3;
    if (!size || size > this.maxAllocSize || align > this.pageSize || !isPow2(align)) {
      const message = `percpu: illegal size (${size}) or align (${align}) for percpu allocation`;
      if (warn) this.log.push(message);
      return { ok: false, message };
    }
    const bits = size / MIN_ALLOC_SIZE;
    const balign = align / MIN_ALLOC_SIZE;

    if (o.reserved && this.reservedChunk) {
      const ch = this.reservedChunk;
      let off = ch.findBlockFit(bits, balign, atomic);
      if (off >= 0) off = ch.allocArea(bits, balign, off);
      if (off < 0) return this.fail('alloc from reserved chunk failed', size, align, atomic, warn);
      return this.found(ch, off, size, atomic, o.tag);
    }

    for (;;) {
      for (let slot = this.sizeToSlot(size); slot <= this.freeSlot; slot++) {
        // list_for_each_entry_safe: the only change to this list inside the loop is moving the
        // current chunk to slot 0 (slots 1, 2), after which the same index holds the next chunk
        const list = this.slots[slot];
        for (let k = 0; k < list.length; ) {
          const ch = list[k];
          let off = ch.findBlockFit(bits, balign, atomic);
          if (off < 0) {
            if (slot < SLOT_FAIL_THRESHOLD) this.move(ch, 0, true); else k++;
            continue;
          }
          const oslot = ch.slotOf(this.slotFn);
          off = ch.allocArea(bits, balign, off);
          if (off >= 0) {
            this.relocate(ch, oslot);
            this.reintegrate(ch);
            return this.found(ch, off, size, atomic, o.tag);
          }
          k++;
        }
      }
      if (atomic) return this.fail('atomic alloc failed, no space left', size, align, atomic, warn);
      if (!this.slots[this.freeSlot].length) {
        const ch = this.createChunk();
        if (!ch) return this.fail('failed to allocate new chunk', size, align, atomic, warn);
        this.relocate(ch, -1);
      }
    }
  }

  private found(ch: Chunk, off: number, size: number, atomic: boolean, tag?: AllocTag): AllocResult {
    const g = this.g;
    g.nr_alloc++;
    g.nr_cur_alloc++;
    g.nr_max_alloc = Math.max(g.nr_max_alloc, g.nr_cur_alloc);
    g.min_alloc_size = Math.min(g.min_alloc_size, size);
    g.max_alloc_size = Math.max(g.max_alloc_size, size);
    ch.nrAlloc++;
    ch.maxAllocSize = Math.max(ch.maxAllocSize, size);
    if (this.nrEmptyPopPages < EMPTY_POP_PAGES_LOW) this.balancePending = true;
    if (!atomic) {
      const pe = Math.ceil((off + size) / this.pageSize);
      for (let p = Math.floor(off / this.pageSize); p < pe; ) {
        if (ch.populated[p]) { p++; continue; }
        let e = p + 1;
        while (e < pe && !ch.populated[e]) e++;
        this.populate(ch, p, e);
        p = e;
      }
    }
    ch.tags.set(off / MIN_ALLOC_SIZE, tag ?? null);
    return { ok: true, ptr: ch.ptrBase + off, chunk: ch.id, offset: ch.unitBase + off };
  }

  /**
   * Takes [off, off+size) of the first chunk as one allocation, when all of it is free: an area the
   * kernel had allocated before a trace began (a replay infers it where the kernel's first fit
   * skipped space the model sees free). False, and nothing changed, otherwise.
   */
  claimFirstChunk(off: number, size: number, tag?: AllocTag): boolean {
    const ch = this.firstChunk;
    if (size <= 0 || off % MIN_ALLOC_SIZE || size % MIN_ALLOC_SIZE) return false;
    const start = off / MIN_ALLOC_SIZE;
    const bits = size / MIN_ALLOC_SIZE;
    if (start + bits > ch.mapBits) return false;
    for (let b = start; b < start + bits; b++) if (ch.isAllocated(b)) return false;
    const oslot = ch.slotOf(this.slotFn);
    // every bit from `start` is free, so pcpu_alloc_area's first fit from there is `start` itself
    const got = ch.allocArea(bits, 1, start);
    this.relocate(ch, oslot);
    this.reintegrate(ch);
    this.found(ch, got, size, false, tag);
    this.afterOp();
    return true;
  }

  private inside(c: Chunk, ptr: number): boolean {
    return ptr >= c.unitBase + c.startOffset && ptr < c.unitBase + c.nrPages * this.pageSize - c.endOffset;
  }

  /** the chunk a percpu pointer belongs to (pcpu_chunk_addr_search) */
  private chunkOf(ptr: number): Chunk | undefined {
    const idx = Math.floor(ptr / CHUNK_PTR_STRIDE);
    if (idx === 0) {
      if (this.inside(this.firstChunk, ptr)) return this.firstChunk;
      if (this.reservedChunk && this.inside(this.reservedChunk, ptr)) return this.reservedChunk;
      return undefined;
    }
    const ch = this.chunks.get(idx);
    return ch && ch.kind === 'dynamic' ? ch : undefined;
  }

  /** free_percpu(ptr); 0 (NULL) is a no-op. Throws on a pointer that is not a live allocation. */
  free(ptr: number): void {
    if (ptr === 0 && !this.firstChunk.tags.has(0)) return;
    const ch = this.chunkOf(ptr);
    const off = ch ? ptr - ch.ptrBase : -1;
    if (!ch || off % MIN_ALLOC_SIZE || !ch.tags.has(off / MIN_ALLOC_SIZE)) {
      throw new Error(`free_percpu: 0x${ptr.toString(16)} is not a live percpu allocation (double free or bad pointer)`);
    }
    this.g.nr_dealloc++;
    this.g.nr_cur_alloc--;
    ch.nrAlloc--;
    const oslot = ch.slotOf(this.slotFn);
    ch.freeArea(off);
    ch.tags.delete(off / MIN_ALLOC_SIZE);
    this.relocate(ch, oslot);
    if (!ch.isolated && ch.freeBytes === this.unitSize) {
      if (this.slots[this.freeSlot].some((p) => p !== ch)) this.balancePending = true;
    } else if (this.shouldReclaim(ch)) {
      this.isolate(ch);
      this.balancePending = true;
    }
    this.afterOp();
  }

  /** pcpu_should_reclaim_chunk (vm backend) */
  private shouldReclaim(ch: Chunk): boolean {
    if (ch === this.firstChunk || ch === this.reservedChunk) return false;
    return (ch.isolated && ch.nrEmptyPopPages > 0) ||
      (this.nrEmptyPopPages > EMPTY_POP_PAGES_HIGH + ch.nrEmptyPopPages && ch.nrEmptyPopPages >= Math.floor(ch.nrPages / 4));
  }

  // ---- modules --------------------------------------------------------------------------------

  /** percpu_modalloc: a module's .data..percpu section, served from the reserved chunk when there is one. */
  loadModule(name: string, percpuSize: number, align: number): { ok: true; ptr: number } | { ok: false; messages: string[] } {
    if (percpuSize === 0) return { ok: true, ptr: 0 };
    const messages: string[] = [];
    if (align > this.pageSize) {
      messages.push(`${name}: per-cpu alignment ${align} > ${this.pageSize}`);
      align = this.pageSize;
    }
    const before = this.log.length;
    const r = this.alloc(percpuSize, align, { reserved: true, tag: { label: `module ${name}` } });
    if (r.ok) {
      this.log.push(...messages);
      return { ok: true, ptr: r.ptr };
    }
    messages.push(...this.log.splice(before), `${name}: Could not allocate ${percpuSize} bytes percpu data`);
    this.log.push(...messages);
    return { ok: false, messages };
  }

  // ---- balance work (§3.6) --------------------------------------------------------------------

  private afterOp(): void {
    if (this.balancePending && this.balanceMode === 'immediate') this.runBalance();
  }

  /** pcpu_balance_workfn */
  runBalance(): void {
    this.balancePending = false;
    this.balanceFree(false);
    this.reclaimPopulated();
    this.balancePopulated();
    this.balanceFree(true);
  }

  private balanceFree(emptyOnly: boolean): void {
    const head = this.slots[this.freeSlot];
    const toFree = head.filter((ch, i) => i > 0 && (!emptyOnly || ch.nrEmptyPopPages === 0));
    for (const ch of toFree) this.destroyChunk(ch);
  }

  private reclaimPopulated(): void {
    const list = this.slots[this.toDepopulateSlot];
    while (list.length) {
      const ch = list[0];
      let reintegrate = false;
      for (let i = ch.nrPages - 1, end = -1; i >= 0; i--) {
        if (ch.nrEmptyPopPages === 0) break;
        if (this.nrEmptyPopPages < EMPTY_POP_PAGES_HIGH) { reintegrate = true; break; }
        if (ch.md.contigHint[i] === ch.blockBits && ch.populated[i]) {
          if (end === -1) end = i;
          if (i > 0) continue;
          i--;
        }
        if (end === -1) continue;
        this.nrPopulated -= ch.setDepopulated(i + 1, end + 1);
        end = -1;
      }
      if (reintegrate || ch.freeBytes === this.unitSize) this.reintegrate(ch);
      else this.move(ch, this.sidelinedSlot, false);
    }
  }

  private balancePopulated(): void {
    for (;;) {
      let nrToPop: number;
      if (this.atomicAllocFailed) {
        nrToPop = EMPTY_POP_PAGES_HIGH;
        this.atomicAllocFailed = false;
      } else {
        nrToPop = Math.min(Math.max(EMPTY_POP_PAGES_HIGH - this.nrEmptyPopPages, 0), EMPTY_POP_PAGES_HIGH);
      }
      for (let slot = this.sizeToSlot(this.pageSize); slot <= this.freeSlot && nrToPop; slot++) {
        const ch = this.slots[slot].find((c) => c.nrPages - c.nrPopulated > 0);
        if (!ch) continue;
        for (const [rs, re] of ch.ranges(0)) {
          const nr = Math.min(re - rs, nrToPop);
          this.populate(ch, rs, rs + nr);
          nrToPop -= nr;
          if (!nrToPop) break;
        }
      }
      if (!nrToPop) return;
      const ch = this.createChunk();
      if (!ch) return;
      this.relocate(ch, -1);
    }
  }

  // ---- reports --------------------------------------------------------------------------------

  /** CONFIG_PERCPU_STATS counters, as percpu_stats shows them */
  stats(): PercpuStats {
    return collectStats(this);
  }
  /** the text of /sys/kernel/debug/percpu_stats */
  statsText(): string {
    return formatStats(collectStats(this));
  }
  /** the chunk map for the webview */
  snapshot(): ChunkMapSnapshot {
    return snapshot(this);
  }

  /** /proc/meminfo Percpu: pcpu_nr_pages() in kB (populated pages × units, padding units included) */
  meminfoPercpuKb(): number {
    return (this.nrPopulated * this.nrUnits * this.pageSize) / 1024;
  }

  /** chunks in percpu_stats order: reserved first, then slot lists in order */
  statsOrder(): Array<{ chunk: Chunk; title: string }> {
    const out: Array<{ chunk: Chunk; title: string }> = [];
    if (this.reservedChunk) out.push({ chunk: this.reservedChunk, title: 'Chunk: <- Reserved Chunk' });
    this.slots.forEach((list, slot) => {
      for (const ch of list) {
        const title = ch === this.firstChunk ? 'Chunk: <- First Chunk'
          : slot === this.toDepopulateSlot ? 'Chunk (to_depopulate)'
            : slot === this.sidelinedSlot ? 'Chunk (sidelined):' : 'Chunk:';
        out.push({ chunk: ch, title });
      }
    });
    return out;
  }
}
