// One chunk of the bitmap allocator (4.14+; block = page and scan hints since 5.1), after mm/percpu.c:
// the allocation map (1 bit per 4 bytes of a unit), the boundary map, and the hints kept per block
// (one block per page) and for the whole chunk. docs/allocator.md §3.1, §3.4, §3.5.

import {
  bitmapWords, clearBits, ffs0, findLastBitFrom, findNextBit, findNextZeroBit, setBit, setBits, testBit, clearBit,
} from './bitmap';

export const MIN_ALLOC_SIZE = 4; // PCPU_MIN_ALLOC_SIZE: one bit of the map

const ALIGN = (x: number, a: number): number => (x + a - 1) & ~(a - 1);
const overlap = (a: number, b: number, x: number, y: number): boolean => a < y && x < b;

/** Hint metadata (pcpu_block_md), struct-of-arrays: one entry per block, or one for the whole chunk. */
export class Md {
  readonly scanHint: Int32Array;
  readonly scanHintStart: Int32Array;
  readonly contigHint: Int32Array;
  readonly contigHintStart: Int32Array;
  readonly leftFree: Int32Array;
  readonly rightFree: Int32Array;
  readonly firstFree: Int32Array;
  constructor(n: number, readonly nrBits: number) {
    this.scanHint = new Int32Array(n);
    this.scanHintStart = new Int32Array(n);
    this.contigHint = new Int32Array(n).fill(nrBits);
    this.contigHintStart = new Int32Array(n);
    this.leftFree = new Int32Array(n).fill(nrBits);
    this.rightFree = new Int32Array(n).fill(nrBits);
    this.firstFree = new Int32Array(n);
  }
}

/** pcpu_block_update: account the free region [start, end) of block i. */
export function blockUpdate(b: Md, i: number, start: number, end: number): void {
  const contig = end - start;
  if (start < b.firstFree[i]) b.firstFree[i] = start;
  if (start === 0) b.leftFree[i] = contig;
  if (end === b.nrBits) b.rightFree[i] = contig;
  const ch = b.contigHint[i];
  if (contig > ch) {
    // promote the old contig hint to the scan hint
    if (start > b.contigHintStart[i]) {
      if (ch > b.scanHint[i]) {
        b.scanHintStart[i] = b.contigHintStart[i];
        b.scanHint[i] = ch;
      } else if (start < b.scanHintStart[i]) {
        b.scanHint[i] = 0; // keep scan_hint_start < contig_hint_start
      }
    } else {
      b.scanHint[i] = 0;
    }
    b.contigHintStart[i] = start;
    b.contigHint[i] = contig;
  } else if (contig === ch) {
    const cs = b.contigHintStart[i];
    if (cs && (!start || ffs0(start) > ffs0(cs))) {
      // start is better aligned
      b.contigHintStart[i] = start;
      if (start < b.scanHintStart[i] && ch > b.scanHint[i]) b.scanHint[i] = 0;
    } else if (start > b.scanHintStart[i] || ch > b.scanHint[i]) {
      b.scanHintStart[i] = start;
      b.scanHint[i] = contig;
    }
  } else if (start < b.contigHintStart[i] && (contig > b.scanHint[i] || (contig === b.scanHint[i] && start > b.scanHintStart[i]))) {
    b.scanHintStart[i] = start;
    b.scanHint[i] = contig;
  }
}

/** pcpu_next_hint */
function nextHint(b: Md, i: number, allocBits: number): number {
  if (b.scanHint[i] && b.contigHintStart[i] > b.scanHintStart[i] && allocBits > b.scanHint[i]) {
    return b.scanHintStart[i] + b.scanHint[i];
  }
  return b.firstFree[i];
}

/** pcpu_check_block_hint */
function checkBlockHint(b: Md, i: number, bits: number, align: number): boolean {
  const cs = b.contigHintStart[i];
  return ALIGN(cs, align) - cs + bits <= b.contigHint[i];
}

export type ChunkKind = 'reserved' | 'first' | 'dynamic';

export interface Tag { label: string; file?: string; line?: number }

export class Chunk {
  readonly mapBits: number;
  readonly blockBits: number;
  readonly nrBlocks: number;
  readonly alloc: Uint32Array;
  readonly bound: Uint32Array;
  readonly md: Md;
  readonly cmd: Md; // chunk_md
  readonly populated: Uint8Array;
  freeBytes: number;
  nrPopulated = 0;
  nrEmptyPopPages = 0;
  startOffset = 0;
  endOffset = 0;
  immutable = false;
  isolated = false;
  /** slot list index, -1 when on no list */
  slot = -1;
  // CONFIG_PERCPU_STATS per chunk
  nrAlloc = 0;
  maxAllocSize = 0;
  /** who allocated each live area (bit offset → tag) */
  readonly tags = new Map<number, Tag | null>();

  /**
   * @param unitBase unit-relative byte offset of the chunk's base address (first-chunk regions start
   *                 inside the unit; new chunks at 0)
   * @param ptrBase  base of the percpu pointers handed out from this chunk
   */
  constructor(readonly id: number, readonly kind: ChunkKind, readonly nrPages: number, readonly pageSize: number,
    readonly unitBase: number, readonly ptrBase: number, readonly emptyPages: (c: Chunk, n: number) => void) {
    this.blockBits = pageSize / MIN_ALLOC_SIZE;
    this.nrBlocks = nrPages;
    this.mapBits = nrPages * this.blockBits;
    this.alloc = new Uint32Array(bitmapWords(this.mapBits));
    this.bound = new Uint32Array(bitmapWords(this.mapBits + 1));
    this.md = new Md(nrPages, this.blockBits);
    this.cmd = new Md(1, this.mapBits);
    this.populated = new Uint8Array(nrPages);
    this.freeBytes = nrPages * pageSize;
  }

  /** pcpu_chunk_slot, given the size→slot function */
  slotOf(sizeToSlot: (bytes: number) => number): number {
    if (this.freeBytes < MIN_ALLOC_SIZE || this.cmd.contigHint[0] === 0) return 0;
    return sizeToSlot(this.cmd.contigHint[0] * MIN_ALLOC_SIZE);
  }

  // ---- hint maintenance (§3.5) -------------------------------------------------------------

  /** pcpu_block_refresh_hint: rescan block `index` from its scan hint (or first free bit). */
  private blockRefreshHint(index: number): void {
    const b = this.md, BB = this.blockBits, base = index * BB;
    let start: number;
    if (b.scanHint[index]) {
      start = b.scanHintStart[index] + b.scanHint[index];
      b.contigHintStart[index] = b.scanHintStart[index];
      b.contigHint[index] = b.scanHint[index];
      b.scanHint[index] = 0;
    } else {
      start = b.firstFree[index];
      b.contigHint[index] = 0;
    }
    b.rightFree[index] = 0;
    const lim = base + BB;
    let s = findNextZeroBit(this.alloc, lim, base + start);
    while (s < lim) {
      const e = findNextBit(this.alloc, lim, s + 1);
      blockUpdate(b, index, s - base, e - base);
      s = findNextZeroBit(this.alloc, lim, e + 1);
    }
  }

  /** pcpu_next_md_free_region: next free region across blocks from *bitOff, using block hints only. */
  private nextMdFreeRegion(st: { off: number; bits: number }): void {
    const BB = this.blockBits, b = this.md;
    let i = Math.floor(st.off / BB);
    let blockOff = st.off % BB;
    st.bits = 0;
    for (; i < this.nrBlocks; i++) {
      if (st.bits) {
        st.bits += b.leftFree[i];
        if (b.leftFree[i] === BB) continue;
        return;
      }
      st.bits = b.contigHint[i];
      if (st.bits && b.contigHintStart[i] >= blockOff && st.bits + b.contigHintStart[i] < BB) {
        st.off = i * BB + b.contigHintStart[i];
        return;
      }
      blockOff = 0;
      st.bits = b.rightFree[i];
      st.off = (i + 1) * BB - b.rightFree[i];
    }
  }

  /** pcpu_chunk_refresh_hint */
  chunkRefreshHint(fullScan: boolean): void {
    const c = this.cmd;
    let off: number;
    if (!fullScan && c.scanHint[0]) {
      off = c.scanHintStart[0] + c.scanHint[0];
      c.contigHintStart[0] = c.scanHintStart[0];
      c.contigHint[0] = c.scanHint[0];
      c.scanHint[0] = 0;
    } else {
      off = c.firstFree[0];
      c.contigHint[0] = 0;
    }
    const st = { off, bits: 0 };
    for (this.nextMdFreeRegion(st); st.off < this.mapBits; st.off += st.bits + 1, this.nextMdFreeRegion(st)) {
      blockUpdate(c, 0, st.off, st.off + st.bits);
    }
  }

  /** pcpu_block_update_scan: a too-small gap seen while searching becomes a candidate scan hint. */
  private blockUpdateScan(bitOff: number, bits: number): void {
    const BB = this.blockBits;
    let sOff = bitOff % BB;
    const eOff = sOff + bits;
    if (eOff > BB) return;
    const sIndex = Math.floor(bitOff / BB);
    const lBit = findLastBitFrom(this.alloc, sIndex * BB, sOff);
    sOff = sOff === lBit ? 0 : lBit + 1;
    blockUpdate(this.md, sIndex, sOff, eOff);
  }

  /** pcpu_block_update_hint_alloc */
  private hintAlloc(bitOff: number, bits: number): void {
    const BB = this.blockBits, b = this.md, c = this.cmd;
    let nrEmpty = 0;
    const sIndex = Math.floor(bitOff / BB);
    const eIndex = Math.floor((bitOff + bits - 1) / BB);
    const sOff = bitOff % BB;
    const eOff = ((bitOff + bits - 1) % BB) + 1;

    if (b.contigHint[sIndex] === BB) nrEmpty++;
    if (sOff === b.firstFree[sIndex]) {
      const base = sIndex * BB;
      b.firstFree[sIndex] = findNextZeroBit(this.alloc, base + BB, base + Math.min(sOff + bits, BB)) - base;
    }
    if (overlap(b.scanHintStart[sIndex], b.scanHintStart[sIndex] + b.scanHint[sIndex], sOff, sOff + bits)) b.scanHint[sIndex] = 0;
    if (overlap(b.contigHintStart[sIndex], b.contigHintStart[sIndex] + b.contigHint[sIndex], sOff, sOff + bits)) {
      if (!sOff) b.leftFree[sIndex] = 0;
      this.blockRefreshHint(sIndex);
    } else {
      b.leftFree[sIndex] = Math.min(b.leftFree[sIndex], sOff);
      if (sIndex === eIndex) b.rightFree[sIndex] = Math.min(b.rightFree[sIndex], BB - eOff);
      else b.rightFree[sIndex] = 0;
    }

    if (sIndex !== eIndex) {
      if (b.contigHint[eIndex] === BB) nrEmpty++;
      const base = eIndex * BB;
      b.firstFree[eIndex] = findNextZeroBit(this.alloc, base + BB, base + eOff) - base;
      let last = eIndex; // blocks (sIndex, last) are wholly allocated
      if (eOff === BB) {
        last = eIndex + 1;
      } else {
        if (eOff > b.scanHintStart[eIndex]) b.scanHint[eIndex] = 0;
        b.leftFree[eIndex] = 0;
        if (eOff > b.contigHintStart[eIndex]) this.blockRefreshHint(eIndex);
        else b.rightFree[eIndex] = Math.min(b.rightFree[eIndex], BB - eOff);
      }
      nrEmpty += eIndex - sIndex - 1;
      for (let k = sIndex + 1; k < last; k++) {
        b.scanHint[k] = 0;
        b.contigHint[k] = 0;
        b.leftFree[k] = 0;
        b.rightFree[k] = 0;
      }
    }
    // not-yet-populated pages are added back by populated()
    if (nrEmpty) this.emptyPages(this, -nrEmpty);

    if (overlap(c.scanHintStart[0], c.scanHintStart[0] + c.scanHint[0], bitOff, bitOff + bits)) c.scanHint[0] = 0;
    if (overlap(c.contigHintStart[0], c.contigHintStart[0] + c.contigHint[0], bitOff, bitOff + bits)) this.chunkRefreshHint(false);
  }

  /** pcpu_block_update_hint_free (with upstream's block-relative `end` quirk kept, §3.5) */
  private hintFree(bitOff: number, bits: number): void {
    const BB = this.blockBits, b = this.md;
    let nrEmpty = 0;
    const sIndex = Math.floor(bitOff / BB);
    const eIndex = Math.floor((bitOff + bits - 1) / BB);
    const sOff = bitOff % BB;
    let eOff = ((bitOff + bits - 1) % BB) + 1;

    let start = sOff;
    if (sOff === b.contigHint[sIndex] + b.contigHintStart[sIndex]) {
      start = b.contigHintStart[sIndex];
    } else {
      const l = findLastBitFrom(this.alloc, sIndex * BB, start);
      start = start === l ? 0 : l + 1;
    }
    let end: number;
    if (eOff === b.contigHintStart[eIndex]) end = b.contigHintStart[eIndex] + b.contigHint[eIndex];
    else end = findNextBit(this.alloc, eIndex * BB + BB, eIndex * BB + eOff) - eIndex * BB;

    eOff = sIndex === eIndex ? end : BB;
    if (!start && eOff === BB) nrEmpty++;
    blockUpdate(b, sIndex, start, eOff);

    if (sIndex !== eIndex) {
      if (end === BB) nrEmpty++;
      blockUpdate(b, eIndex, 0, end);
      nrEmpty += eIndex - sIndex - 1;
      for (let k = sIndex + 1; k < eIndex; k++) {
        b.firstFree[k] = 0;
        b.scanHint[k] = 0;
        b.contigHintStart[k] = 0;
        b.contigHint[k] = BB;
        b.leftFree[k] = BB;
        b.rightFree[k] = BB;
      }
    }
    if (nrEmpty) this.emptyPages(this, nrEmpty);

    // the chunk hint may be off by up to a page: only a full scan or an in-block update
    if (end - start >= BB || sIndex !== eIndex) this.chunkRefreshHint(true);
    else blockUpdate(this.cmd, 0, sIndex * BB + start, end);
  }

  // ---- finding a fit (§3.4) ------------------------------------------------------------------

  /** pcpu_next_fit_region */
  private nextFitRegion(allocBits: number, align: number, st: { off: number; bits: number }): void {
    const BB = this.blockBits, b = this.md;
    let i = Math.floor(st.off / BB);
    let blockOff = st.off % BB;
    st.bits = 0;
    for (; i < this.nrBlocks; i++) {
      if (st.bits) {
        st.bits += b.leftFree[i];
        if (st.bits >= allocBits) return;
        if (b.leftFree[i] === BB) continue;
      }
      const cs = b.contigHintStart[i];
      st.bits = ALIGN(cs, align) - cs;
      if (b.contigHint[i] && cs >= blockOff && b.contigHint[i] >= st.bits + allocBits) {
        const start = nextHint(b, i, allocBits);
        st.bits += allocBits + cs - start;
        st.off = i * BB + start;
        return;
      }
      blockOff = 0;
      const o = ALIGN(BB - b.rightFree[i], align);
      st.bits = BB - o;
      st.off = i * BB + o;
      if (st.bits >= allocBits) return;
    }
    st.off = this.mapBits;
  }

  /** pcpu_is_populated; returns -1 when populated, else the bit offset to resume at */
  private populatedFrom(bitOff: number, bits: number): number {
    const P = this.pageSize;
    let s = Math.floor((bitOff * MIN_ALLOC_SIZE) / P);
    const e = Math.ceil(((bitOff + bits) * MIN_ALLOC_SIZE) / P);
    while (s < e && this.populated[s]) s++;
    if (s >= e) return -1;
    let n = s + 1;
    while (n < e && !this.populated[n]) n++;
    return (n * P) / MIN_ALLOC_SIZE;
  }

  /** pcpu_find_block_fit: a bit offset to start the first-fit scan from, or -1 */
  findBlockFit(allocBits: number, align: number, popOnly: boolean): number {
    if (!checkBlockHint(this.cmd, 0, allocBits, align)) return -1;
    const st = { off: nextHint(this.cmd, 0, allocBits), bits: 0 };
    for (this.nextFitRegion(allocBits, align, st); st.off < this.mapBits; st.off += st.bits, this.nextFitRegion(allocBits, align, st)) {
      if (!popOnly) break;
      const next = this.populatedFrom(st.off, st.bits);
      if (next < 0) break;
      st.off = next;
      st.bits = 0;
    }
    return st.off >= this.mapBits ? -1 : st.off;
  }

  /** pcpu_alloc_area: first fit from `start`; returns the byte offset in the chunk or -1. */
  allocArea(allocBits: number, align: number, start: number): number {
    const mask = align ? align - 1 : 0;
    const end = Math.min(start + allocBits + this.blockBits, this.mapBits);
    // pcpu_find_zero_area, remembering the largest too-small gap with the best alignment
    let areaOff = 0, areaBits = 0;
    let s = start;
    let bitOff: number;
    for (;;) {
      let index = findNextZeroBit(this.alloc, end, s);
      index = (index + mask) & ~mask;
      const e = index + allocBits;
      if (e > end) { bitOff = e; break; }
      const i = findNextBit(this.alloc, e, index);
      if (i < e) {
        const bits = i - index;
        if (bits > areaBits || (bits === areaBits && areaOff && (!index || ffs0(index) > ffs0(areaOff)))) {
          areaOff = index;
          areaBits = bits;
        }
        s = i + 1;
        continue;
      }
      bitOff = index;
      break;
    }
    if (bitOff >= end) return -1;
    if (areaBits) this.blockUpdateScan(areaOff, areaBits);

    setBits(this.alloc, bitOff, allocBits);
    setBit(this.bound, bitOff);
    if (allocBits > 1) clearBits(this.bound, bitOff + 1, allocBits - 1);
    setBit(this.bound, bitOff + allocBits);
    this.freeBytes -= allocBits * MIN_ALLOC_SIZE;
    if (bitOff === this.cmd.firstFree[0]) this.cmd.firstFree[0] = findNextZeroBit(this.alloc, this.mapBits, bitOff + allocBits);
    this.hintAlloc(bitOff, allocBits);
    return bitOff * MIN_ALLOC_SIZE;
  }

  /** hide [bitOff, bitOff+bits) of a first-chunk region (pcpu_alloc_first_chunk) */
  hide(bitOff: number, bits: number, atStart: boolean): void {
    setBits(this.alloc, bitOff, bits);
    setBit(this.bound, bitOff);
    setBit(this.bound, bitOff + bits);
    if (atStart) this.cmd.firstFree[0] = bits;
    this.hintAlloc(bitOff, bits);
  }

  /** pcpu_free_area: returns the bytes freed */
  freeArea(off: number): number {
    const bitOff = off / MIN_ALLOC_SIZE;
    const end = findNextBit(this.bound, this.mapBits, bitOff + 1);
    const bits = end - bitOff;
    clearBits(this.alloc, bitOff, bits);
    this.freeBytes += bits * MIN_ALLOC_SIZE;
    if (bitOff < this.cmd.firstFree[0]) this.cmd.firstFree[0] = bitOff;
    this.hintFree(bitOff, bits);
    return bits * MIN_ALLOC_SIZE;
  }

  /** size in bytes of the live area starting at byte offset off, or 0 if none starts there */
  areaSizeAt(off: number): number {
    const bit = off / MIN_ALLOC_SIZE;
    if (!Number.isInteger(bit) || bit < 0 || bit >= this.mapBits) return 0;
    // interior bound bits of a live area are always clear, so alloc+bound marks a start
    if (!testBit(this.alloc, bit) || !testBit(this.bound, bit)) return 0;
    return (findNextBit(this.bound, this.mapBits, bit + 1) - bit) * MIN_ALLOC_SIZE;
  }

  // ---- population ---------------------------------------------------------------------------

  /** pcpu_chunk_populated: pages [s, e) now have memory behind them in every unit */
  setPopulated(s: number, e: number): number {
    for (let p = s; p < e; p++) this.populated[p] = 1;
    const n = e - s;
    this.nrPopulated += n;
    this.emptyPages(this, n);
    return n;
  }
  /** pcpu_chunk_depopulated */
  setDepopulated(s: number, e: number): number {
    for (let p = s; p < e; p++) this.populated[p] = 0;
    const n = e - s;
    this.nrPopulated -= n;
    this.emptyPages(this, -n);
    return n;
  }

  /** populated ranges [s, e) of pages */
  ranges(want: 0 | 1, from = 0, to = this.nrPages): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let p = from;
    while (p < to) {
      while (p < to && this.populated[p] !== want) p++;
      if (p >= to) break;
      const s = p;
      while (p < to && this.populated[p] === want) p++;
      out.push([s, p]);
    }
    return out;
  }

  isAllocated(bit: number): boolean {
    return testBit(this.alloc, bit);
  }
  isBound(bit: number): boolean {
    return testBit(this.bound, bit);
  }
  clearBoundBit(bit: number): void {
    clearBit(this.bound, bit);
  }
}
