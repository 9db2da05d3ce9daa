// Scan results cached by file content. The findings of a file depend only on its bytes and on the
// code, grammar and queries that scanned it, so the key hashes all of those; the path is not in
// the key (the same header copied elsewhere hits too) and is put back on read. A store is a plain
// key → text map: DirStore for the CLI (under ~/.cache) and for the extension (pass a folder of
// its globalStorageUri as cacheDir). Anything wrong with an entry makes it a miss, never an error.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { wasmPath, queryPath } from '../assets';
import { FINDING_KINDS, Finding } from './types';
import { writeAtomic } from '../writeAtomic';
import { readBytes } from '../readText';

/** Bump when the entry format changes. */
const SCHEMA = 'percpu-lens-scan-1';

export interface CacheStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export interface CachedScan {
  findings: Finding[];
  bytesTreeSitter: number;
}

/** `${XDG_CACHE_HOME:-~/.cache}/percpu-lens/scan` */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'percpu-lens', 'scan');
}

let salt: string | undefined;

/**
 * What the findings depend on besides the file: the scanning code (the bundle this runs from, or
 * the compiled modules next to this one), the grammar and the queries.
 */
/** Saved indexes and results nobody wrote for this long are deleted. */
export const STALE_MS = 30 * 24 * 3600 * 1000;

/**
 * Deletes the files of `dir` named like `name` (and their unfinished `.tmp` copies) that nobody wrote
 * for STALE_MS, `keep` aside: each build of the code, tree and option set starts new ones.
 */
export function pruneStale(dir: string, keep: string, name: RegExp): void {
  const old = Date.now() - STALE_MS;
  const re = new RegExp(`^(?:${name.source})(?:\\..*\\.tmp)?$`);
  try {
    for (const f of fs.readdirSync(dir)) {
      const p = path.join(dir, f);
      if (p !== keep && re.test(f) && fs.statSync(p).mtimeMs < old) fs.rmSync(p, { force: true });
    }
  } catch {
    // an unreadable folder only keeps old files longer
  }
}

export function codeSalt(): string {
  if (salt !== undefined) return salt;
  const h = crypto.createHash('sha1').update(SCHEMA);
  const bundled = path.basename(__filename) !== 'cache.js';
  const own = bundled ? [__filename] : fs.readdirSync(__dirname).filter((f) => f.endsWith('.js')).sort().map((f) => path.join(__dirname, f));
  for (const f of [...own, wasmPath('tree-sitter.wasm'), wasmPath('tree-sitter-c.wasm'), queryPath('arrays.scm'), queryPath('fields.scm')]) {
    try {
      h.update(f.endsWith('.js') ? '' : path.basename(f)).update(readBytes(f));
    } catch {
      h.update(`missing ${f}`);
    }
  }
  salt = h.digest('hex');
  return salt;
}

export function scanKey(bytes: Uint8Array): string {
  return crypto.createHash('sha1').update(codeSalt()).update(bytes).digest('hex');
}

export function encodeEntry(e: CachedScan): string {
  return JSON.stringify({ schema: SCHEMA, bytesTreeSitter: e.bytesTreeSitter, findings: e.findings.map(({ file: _f, ...rest }) => rest) });
}

/** The entry for `file`, or undefined when the text is not a well-formed entry. */
export function decodeEntry(text: string, file: string): CachedScan | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = j as { schema?: unknown; bytesTreeSitter?: unknown; findings?: unknown };
  if (!o || typeof o !== 'object' || o.schema !== SCHEMA || typeof o.bytesTreeSitter !== 'number' || !Array.isArray(o.findings)) return undefined;
  const findings = decodeFindings(o.findings, file);
  return findings && { findings, bytesTreeSitter: o.bytesTreeSitter };
}

/** Stored findings (without `file`) given back their file, or undefined when one is malformed. */
export function decodeFindings(stored: unknown[], file: string): Finding[] | undefined {
  const findings: Finding[] = [];
  for (const f of stored as Record<string, unknown>[]) {
    if (!f || typeof f !== 'object' || !FINDING_KINDS.includes(f.kind as Finding['kind'])) return undefined;
    if (![f.line, f.column, f.endLine, f.endColumn].every((n) => Number.isInteger(n))) return undefined;
    if (typeof f.name !== 'string' || typeof f.type !== 'string' || typeof f.macro !== 'string') return undefined;
    findings.push({ ...(f as unknown as Omit<Finding, 'file'>), file });
  }
  return findings;
}

/** One file per entry under dir/ab/abcd…; written to a temporary name and renamed, so readers never see half an entry. */
export class DirStore implements CacheStore {
  constructor(readonly dir: string) {}

  /** Whether the folder holds any entry (its entries sit in two-hex-digit subfolders, beside the stat index's). */
  static heldEntries(dir: string): boolean {
    try {
      return fs.readdirSync(dir).some((d) => /^[0-9a-f]{2}$/.test(d));
    } catch {
      return false;
    }
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), key);
  }

  get(key: string): string | undefined {
    try {
      return fs.readFileSync(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
  }

  set(key: string, value: string): void {
    writeAtomic(this.file(key), [value]); // a read-only or full disk only costs speed
  }
}

/** In memory, for tests and short-lived callers. */
export class MemoryStore implements CacheStore {
  readonly map = new Map<string, string>();
  get(key: string): string | undefined { return this.map.get(key); }
  set(key: string, value: string): void { this.map.set(key, value); }
}
