// Reads one file and scans it: size limit, byte prefilter, latin1 decoding (one char per byte, so
// non-UTF-8 bytes and NULs cannot break offsets), then scanTextWith.
import * as fs from 'fs';
import * as path from 'path';
import { ACCESSOR, IN_PLACE_LIMIT, TRIGGER, prefilter, searchBuffer } from './prefilter';
import { scanTextWith } from './scanText';
import { CacheStore, DirStore, decodeEntry, encodeEntry, scanKey } from './cache';
import type { ScanFileResult } from './types';
import { RACY_MS, type FileStat } from './statIndex';
import { bufferFor } from '../readText';

/** Files above this are not even read (generated blobs); the parse limit is FileScanOptions.maxFileBytes. */
const READ_LIMIT = 256 * 1024 * 1024;

export interface FileScanOptions {
  maxFileBytes: number;
  parseTimeoutMs: number;
  /** folder of a DirStore cache (a path, so that worker threads can open it too) */
  cacheDir?: string;
  /** the cache held no entry when the scan began (heldEntries): a file seen for the first time is not looked up */
  cacheEmpty?: boolean;
}

export interface FileScanOutcome extends ScanFileResult {
  bytes: number;
  parsed: boolean; // passed the prefilter
  bytesTreeSitter: number;
  skipped?: boolean;
  /** calls per-CPU accessors the rules check (PCPU003) */
  accessors?: boolean;
  cached?: boolean; // findings came from the cache
  /** the stat of the bytes read (statIndex.ts records it) */
  stat?: FileStat;
  /** taken from the stat index: the file was not read */
  indexed?: boolean;
}

let store: { dir: string; s: CacheStore } | undefined;
function storeFor(dir: string): CacheStore {
  if (store?.dir !== dir) store = { dir, s: new DirStore(dir) };
  return store.s;
}

// One read buffer per thread, reused: a fresh allocation per file (60k of them) is mostly GC work.
// It is consumed before the first await (prefilter, then a toString copy), so reuse is safe. It
// lies in the prefilter search's memory, searched where it was read; a file too big for that gets
// a buffer of its own, dropped after it (its touched pages would stay). bufferFor: see readText.ts.
let scratchBuf: Buffer | undefined; // on first use: not in every thread that only imports this
function scratch(n: number): Buffer {
  const inSearch = searchBuffer(n);
  if (inSearch) return inSearch;
  if (!scratchBuf || n > scratchBuf.length) scratchBuf = bufferFor(Math.max(n, 1 << 20));
  return scratchBuf;
}

/**
 * `firstSeen`: the tree's stat index has no entry for the file. Its outcome then goes into the
 * index alone, not the content cache as well, unless the index will not vouch for it next time
 * (modified within RACY_MS): on a first run that is ~4,500 files fewer to create (each a temporary
 * file renamed), and the index answers for them; a file seen changing is kept by content too.
 */
export async function scanFile(root: string, rel: string, opts: FileScanOptions, firstSeen = false): Promise<FileScanOutcome> {
  const out: FileScanOutcome = { file: rel, findings: [], errors: [], bytes: 0, parsed: false, bytesTreeSitter: 0 };
  let buf: Buffer;
  let fd: number | undefined;
  try {
    fd = fs.openSync(path.join(root, rel), 'r');
    const st = fs.fstatSync(fd);
    out.bytes = st.size;
    out.stat = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
    if (st.size > READ_LIMIT) {
      out.skipped = true;
      out.errors.push(`skipped: ${st.size} bytes is over the ${READ_LIMIT}-byte read limit`);
      return out;
    }
    buf = scratch(st.size);
    let got = 0;
    while (got < st.size) {
      const k = fs.readSync(fd, buf, got, st.size - got, got);
      if (k === 0) break;
      got += k;
    }
    buf = buf.subarray(0, got);
    if (got !== st.size) delete out.stat; // changed while read: not a state to remember
  } catch (e) {
    out.skipped = true;
    out.errors.push(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return out;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  try {
    return await scanBuffer(buf, rel, opts, out, firstSeen && !!out.stat && out.stat.mtimeMs < Date.now() - RACY_MS);
  } finally {
    if (buf.length > IN_PLACE_LIMIT) scratchBuf = undefined;
  }
}

async function scanBuffer(buf: Buffer, rel: string, opts: FileScanOptions, out: FileScanOutcome, indexOnly: boolean): Promise<FileScanOutcome> {
  const found = prefilter(buf);
  if (found & ACCESSOR) out.accessors = true;
  if (!(found & TRIGGER)) return out;
  if (buf.length > opts.maxFileBytes) {
    out.skipped = true;
    out.errors.push(`not parsed: ${buf.length} bytes is over the ${opts.maxFileBytes}-byte parse limit (it holds trigger tokens)`);
    return out;
  }
  out.parsed = true;
  // a file first seen is looked up for another tree's copy of it (indexOnly writes nothing): in a
  // store that held nothing, a lookup (hashing the file, opening a missing entry) can only miss
  const cache = opts.cacheDir && !(indexOnly && opts.cacheEmpty) ? storeFor(opts.cacheDir) : undefined;
  return scanParsed(buf, rel, opts, out, cache, indexOnly);
}

/** Scans a file past the prefilter, through the cache when there is one (`indexOnly`: read it, write nothing: see scanFile). */
export async function scanParsed(buf: Buffer, rel: string, opts: FileScanOptions, out: FileScanOutcome, cache?: CacheStore, indexOnly = false): Promise<FileScanOutcome> {
  const key = cache ? scanKey(buf) : '';
  const hit = cache ? cache.get(key) : undefined;
  const entry = hit === undefined ? undefined : decodeEntry(hit, rel);
  if (entry) {
    out.findings = entry.findings;
    out.bytesTreeSitter = entry.bytesTreeSitter;
    out.cached = true;
    return out;
  }
  const text = buf.toString('latin1'); // before the first await: buf may be the reused read buffer
  try {
    const stats = { bytesTreeSitter: 0 };
    const r = await scanTextWith(text, rel, { parseTimeoutMs: opts.parseTimeoutMs }, stats);
    out.findings = r.findings;
    out.errors.push(...r.errors);
    out.bytesTreeSitter = stats.bytesTreeSitter;
    // a timed-out or failed parse is not the file's answer: only clean results are kept
    if (cache && !indexOnly && r.errors.length === 0) cache.set(key, encodeEntry({ findings: r.findings, bytesTreeSitter: stats.bytesTreeSitter }));
  } catch (e) {
    out.errors.push(`internal error while scanning: ${(e as Error).message}`);
  }
  return out;
}
