// Reads whole source files through one reused buffer. fs.readFileSync allocates a fresh buffer per
// file; over the tens of thousands of headers and sources an estimate reads, those blocks leave
// glibc's heap fragmented and peak RSS ~60 MB higher (see bufferFor). The text itself is a V8
// string either way.
import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';
import { redirect } from './overlay';

/**
 * glibc maps a block above its mmap threshold (128 KiB at first) and, when such a block is freed,
 * raises the threshold to that block's size (and the trim threshold to twice that), up to 32 MiB:
 * after one 24 MB header was read and dropped, every block below 24 MB came from the heap and the
 * freed ones stayed in RSS. A block above 32 MiB is mapped and unmapped without that; its untouched
 * pages cost no memory (allocUnsafe does not fill it).
 */
export const MAPPED = 32 * 1024 * 1024 + 64 * 1024;
const SMALL = 64 * 1024;

/** An uninitialised buffer of at least `n` bytes that, freed, leaves the allocator's thresholds as they were. */
export function bufferFor(n: number): Buffer {
  return Buffer.allocUnsafe(n <= SMALL ? n : Math.max(n, MAPPED));
}

/** The bytes of `file` (no overlay: cache files), in a buffer from bufferFor (views of it may be kept). */
export function readBytes(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    let buf = bufferFor(fs.fstatSync(fd).size + 1);
    let got = 0;
    for (;;) {
      if (got === buf.length) { const b = bufferFor(buf.length * 2); buf.copy(b, 0, 0, got); buf = b; }
      const k = fs.readSync(fd, buf, got, buf.length - got, null);
      if (k === 0) return buf.subarray(0, got);
      got += k;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** files up to this are read in one go; bigger ones piece by piece through the same buffer, never one block of their size */
const PIECE = 1024 * 1024;
let scratch: Buffer | undefined; // allocated on first use, never freed

function piece(): Buffer {
  return (scratch ??= Buffer.allocUnsafe(PIECE));
}

/**
 * `use` of the bytes of a source file (through the overlay), read into the reused buffer when they
 * fit: no string and no block per file (a search for names over ~15,000 files). The view is valid
 * only during `use`. Throws as fs.readFileSync would.
 */
export function withBytes<T>(file: string, use: (bytes: Buffer) => T): T {
  const f = redirect(file);
  const fd = fs.openSync(f, 'r');
  try {
    const buf = piece();
    let got = 0;
    while (got < PIECE) {
      const k = fs.readSync(fd, buf, got, PIECE - got, null);
      if (k === 0) break;
      got += k;
    }
    if (got < PIECE) return use(buf.subarray(0, got));
  } finally {
    fs.closeSync(fd);
  }
  return use(readBytes(f)); // a generated header of several MB
}

/** fs.readFileSync(file, encoding) of a source file (through the overlay), with the same errors. */
export function readText(file: string, encoding: 'utf8' | 'latin1'): string {
  return readPieces(redirect(file), encoding);
}

/** A saved cache file's text (JSON), read as readText reads: never one block of its size. */
export function readCacheText(file: string): string {
  return readPieces(file, 'utf8');
}

function readPieces(file: string, encoding: 'utf8' | 'latin1'): string {
  const fd = fs.openSync(file, 'r');
  const buf = piece();
  try {
    let got = 0;
    while (got < PIECE) {
      const k = fs.readSync(fd, buf, got, PIECE - got, null);
      if (k === 0) return buf.toString(encoding, 0, got);
      got += k;
    }
    // a generated header of several MB: a UTF-8 sequence may straddle two pieces
    const dec = new StringDecoder(encoding);
    const out = [dec.write(buf)];
    for (;;) {
      const k = fs.readSync(fd, buf, 0, PIECE, null);
      if (k === 0) break;
      out.push(dec.write(buf.subarray(0, k)));
    }
    out.push(dec.end());
    return out.join('');
  } finally {
    fs.closeSync(fd);
  }
}
