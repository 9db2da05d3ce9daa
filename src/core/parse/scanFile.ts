// Reads one file and scans it: size limit, byte prefilter, latin1 decoding (one char per byte, so
// non-UTF-8 bytes and NULs cannot break offsets), then scanTextWith.
import * as fs from 'fs';
import * as path from 'path';
import { mayHoldAccessors, mayHoldFindings } from './prefilter';
import { scanTextWith } from './scanText';
import type { ScanFileResult } from './types';

/** Files above this are not even read (generated blobs); the parse limit is FileScanOptions.maxFileBytes. */
const READ_LIMIT = 256 * 1024 * 1024;

export interface FileScanOptions {
  maxFileBytes: number;
  parseTimeoutMs: number;
}

export interface FileScanOutcome extends ScanFileResult {
  bytes: number;
  parsed: boolean; // passed the prefilter
  bytesTreeSitter: number;
  skipped?: boolean;
  /** calls per-CPU accessors the rules check (PCPU003) */
  accessors?: boolean;
}

export async function scanFile(root: string, rel: string, opts: FileScanOptions): Promise<FileScanOutcome> {
  const out: FileScanOutcome = { file: rel, findings: [], errors: [], bytes: 0, parsed: false, bytesTreeSitter: 0 };
  let buf: Buffer;
  let fd: number | undefined;
  try {
    fd = fs.openSync(path.join(root, rel), 'r');
    const st = fs.fstatSync(fd);
    out.bytes = st.size;
    if (st.size > READ_LIMIT) {
      out.skipped = true;
      out.errors.push(`skipped: ${st.size} bytes is over the ${READ_LIMIT}-byte read limit`);
      return out;
    }
    buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const k = fs.readSync(fd, buf, got, st.size - got, got);
      if (k === 0) break;
      got += k;
    }
    buf = buf.subarray(0, got);
  } catch (e) {
    out.skipped = true;
    out.errors.push(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return out;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (mayHoldAccessors(buf)) out.accessors = true;
  if (!mayHoldFindings(buf)) return out;
  if (buf.length > opts.maxFileBytes) {
    out.skipped = true;
    out.errors.push(`not parsed: ${buf.length} bytes is over the ${opts.maxFileBytes}-byte parse limit (it holds trigger tokens)`);
    return out;
  }
  out.parsed = true;
  try {
    const stats = { bytesTreeSitter: 0 };
    const r = await scanTextWith(buf.toString('latin1'), rel, { parseTimeoutMs: opts.parseTimeoutMs }, stats);
    out.findings = r.findings;
    out.errors.push(...r.errors);
    out.bytesTreeSitter = stats.bytesTreeSitter;
  } catch (e) {
    out.errors.push(`internal error while scanning: ${(e as Error).message}`);
  }
  return out;
}
