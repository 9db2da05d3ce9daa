// Bit operations over Uint32Array bitmaps, with the kernel's return conventions
// (find_next_bit returns `size` when nothing is found; find_last_bit returns `size` too).

const ctz = (x: number): number => 31 - Math.clz32(x & -x);

export function testBit(m: Uint32Array, i: number): boolean {
  return ((m[i >>> 5] >>> (i & 31)) & 1) === 1;
}
export function setBit(m: Uint32Array, i: number): void {
  m[i >>> 5] |= 1 << (i & 31);
}
export function clearBit(m: Uint32Array, i: number): void {
  m[i >>> 5] &= ~(1 << (i & 31));
}

/** mask of bits [lo, hi) inside one word, 0 ≤ lo < hi ≤ 32 */
const wordMask = (lo: number, hi: number): number => ((0xffffffff >>> (32 - (hi - lo))) << lo) >>> 0;

export function setBits(m: Uint32Array, start: number, n: number): void {
  let i = start;
  const end = start + n;
  while (i < end) {
    const w = i >>> 5, lo = i & 31, hi = Math.min(32, lo + (end - i));
    m[w] |= wordMask(lo, hi);
    i += hi - lo;
  }
}
export function clearBits(m: Uint32Array, start: number, n: number): void {
  let i = start;
  const end = start + n;
  while (i < end) {
    const w = i >>> 5, lo = i & 31, hi = Math.min(32, lo + (end - i));
    m[w] &= ~wordMask(lo, hi);
    i += hi - lo;
  }
}

/** first set bit in [start, size), or size */
export function findNextBit(m: Uint32Array, size: number, start: number): number {
  return findNext(m, size, start, 0);
}

/** first clear bit in [start, size), or size */
export function findNextZeroBit(m: Uint32Array, size: number, start: number): number {
  return findNext(m, size, start, -1);
}

/** first bit in [start, size) that differs from `flip`'s (0: a set bit, -1: a clear one), or size */
function findNext(m: Uint32Array, size: number, start: number, flip: number): number {
  if (start >= size) return size;
  let w = start >>> 5;
  let word = ((m[w] ^ flip) & (0xffffffff << (start & 31))) >>> 0;
  for (;;) {
    if (word !== 0) {
      const b = (w << 5) + ctz(word);
      return b < size ? b : size;
    }
    w++;
    if (w << 5 >= size) return size;
    word = (m[w] ^ flip) >>> 0;
  }
}

/** last set bit in [0, size), or size when none */
export function findLastBit(m: Uint32Array, size: number): number {
  if (size <= 0) return size;
  let w = (size - 1) >>> 5;
  let word = (m[w] & (0xffffffff >>> (31 - ((size - 1) & 31)))) >>> 0;
  for (;;) {
    if (word !== 0) return (w << 5) + 31 - Math.clz32(word);
    if (w === 0) return size;
    w--;
    word = m[w];
  }
}

/** last set bit in [base, base+size) relative to base, or size (find_last_bit on a block's map) */
export function findLastBitFrom(m: Uint32Array, base: number, size: number): number {
  if (size <= 0) return size;
  // blocks start on word boundaries (block bits are a multiple of 32)
  let w = (base + size - 1) >>> 5;
  const w0 = base >>> 5;
  let word = (m[w] & (0xffffffff >>> (31 - ((base + size - 1) & 31)))) >>> 0;
  for (;;) {
    if (word !== 0) return (w << 5) + 31 - Math.clz32(word) - base;
    if (w === w0) return size;
    w--;
    word = m[w];
  }
}

export function bitmapWords(bits: number): number {
  return (bits + 31) >>> 5;
}

/** __ffs: index of the lowest set bit (x ≠ 0) */
export const ffs0 = (x: number): number => ctz(x);
