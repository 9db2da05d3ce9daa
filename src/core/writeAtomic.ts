// Writes a cache file whole, under a temporary name renamed into place (readers never see half a
// file), in small pieces. fs.writeFileSync(file, bigString) converts the string into one malloc'd
// block of its size and Buffer.concat makes one of the total: freeing a block that big raises
// glibc's mmap threshold (and with it the trim threshold, to twice that) for the rest of the
// process, so every later block below it comes from the heap and stays there. A cold estimate
// writes a 27 MB header index, 12 MB of file facts and several MB of scan index and parts: after
// the first of them, peak RSS was ~60 MB higher (readText.ts keeps reads small for the same reason).
import * as fs from 'fs';
import * as path from 'path';

/** characters per write: at most 3 bytes each in UTF-8, under glibc's default 128 KiB mmap threshold */
const SLICE = 32 * 1024;

type Pieces = Iterable<string | Uint8Array>;

/**
 * Writes `pieces` (or what `make` returns: a JSON.stringify that throws, or a generator, is a failure too) in order to
 * `file`, via `file.PID.RANDOM.tmp`; false, leaving nothing behind, when it could not.
 */
export function writeAtomic(file: string, make: Pieces | (() => Pieces)): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  let fd: number | undefined;
  try {
    const pieces = typeof make === 'function' ? make() : make;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(tmp, 'w');
    // short strings (jsonPieces' members) are joined into pieces of up to SLICE characters: a write each would be ~100,000 writes
    let short: string[] = [];
    let len = 0;
    const flush = () => { if (len) writeString(fd!, short.join('')); short = []; len = 0; };
    for (const p of pieces) {
      if (typeof p !== 'string') { flush(); writeAll(fd, p); continue; }
      if (len + p.length > SLICE) flush();
      if (p.length >= SLICE) writeString(fd, p);
      else { short.push(p); len += p.length; }
    }
    flush();
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
    return true;
  } catch {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.rmSync(tmp, { force: true }); } catch { /* a failure only costs the next run's speed */ }
    return false;
  }
}

function writeString(fd: number, p: string): void {
  for (let i = 0; i < p.length; ) {
    let j = Math.min(p.length, i + SLICE);
    const c = p.charCodeAt(j - 1);
    if (j < p.length && c >= 0xd800 && c <= 0xdbff) j--; // never split a surrogate pair
    writeAll(fd, Buffer.from(p.slice(i, j), 'utf8'));
    i = j;
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
}
