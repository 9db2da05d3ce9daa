// The include dirs' raw index (every #define, record, typedef and enum constant name → headers) and
// what the estimate derives from the same header texts (the wrapper-macro graph), saved after a
// run and reused while no header changed. Building them reads ~20,000 headers (~0.8 GB under
// include/ and arch/<arch>/include): on a warm tree that was the main thread's biggest cost.
// Validity is by stat, as the scan's stat index does it: every header's size, mtime, ctime and
// inode, and every folder's mtime (a header added or removed changes its folder's). Anything
// racy, missing or malformed is a miss and the run builds the index as before.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { codeSalt } from '../parse/cache';
import { StatKey, statKey, statUnchanged } from '../parse/statIndex';
import { headerWalk, type HeaderChanges, type RawSnapshot } from '../layout/typeIndex';
import { SNAPSHOT_ARRAYS, type NameIndexSnapshot } from '../layout/nameIndex';
import { writeAtomic } from '../writeAtomic';
import { readBytes } from '../readText';

const SCHEMA = 'percpu-lens-headers-4';
const ARRAYS = SNAPSHOT_ARRAYS;
type ArrayName = (typeof ARRAYS)[number];
type Typed = Uint8Array | Uint16Array | Int32Array;
const CTORS: Record<ArrayName | 'lists', new (b: ArrayBuffer, off: number, len: number) => Typed> = {
  chars: Uint8Array, keyOff: Int32Array, keyLen: Uint16Array, val: Int32Array, slots: Int32Array, lists: Int32Array,
};

/** The multi-file lists as one array: each list's length, then its file numbers. */
function flattenLists(lists: number[][]): Int32Array {
  let n = 0;
  for (const l of lists) n += 1 + l.length;
  const out = new Int32Array(n);
  let i = 0;
  for (const l of lists) { out[i++] = l.length; out.set(l, i); i += l.length; }
  return out;
}

function unflattenLists(a: Int32Array): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.length; ) { const n = a[i++]; out.push(Array.from(a.subarray(i, i + n))); i += n; }
  return out;
}

interface Meta {
  schema: string;
  salt: string;
  writtenAt: number;
  dirs: [string, ...StatKey][];
  files: [string, ...StatKey][];
  /** each of `files`' shape (headerShape.ts) */
  shapes?: string[];
  table: string[];
  kinds: Record<string, { n: number; used: number; other: [string, number[]][]; arrays: Record<ArrayName | 'lists', [number, number]> }>;
  extra: unknown;
}

export interface HeaderFacts { raw: RawSnapshot; extra: unknown }
/** Saved facts and, when headers changed since, what changed (loadHeaderFacts with `changed`). */
export interface SavedHeaderFacts extends HeaderFacts { changes?: HeaderChanges }

/** One cache file per tree and include-dir list; the code version is checked inside, so a new build overwrites it. */
export function headerCacheFile(cacheDir: string, dirs: string[]): string {
  const id = crypto.createHash('sha1').update(SCHEMA).update(dirs.join('\0')).digest('hex');
  return path.join(cacheDir, 'headers', `${id}.bin`);
}

/** Whether `cacheDir` holds any saved header facts (a run without them builds them: headersAhead). */
export function anyHeaderFacts(cacheDir: string): boolean {
  try { return fs.readdirSync(path.join(cacheDir, 'headers')).some((f) => f.endsWith('.bin')); } catch { return false; }
}

/** Every folder the index read headers from, with its stat (subfolders except under `flat` dirs). */
function walkDirs(dirs: string[], flat: Set<string>): [string, ...StatKey][] {
  const out: [string, ...StatKey][] = [];
  const walk = (d: string, deep: boolean) => {
    let st: fs.Stats;
    let ents: fs.Dirent[];
    try { st = fs.statSync(d); ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    out.push([d, ...statKey(st)]);
    if (deep) for (const e of ents) if (e.isDirectory()) walk(path.join(d, e.name), true);
  };
  for (const d of dirs) walk(d, !flat.has(d));
  return out;
}

export function saveHeaderFacts(file: string, facts: HeaderFacts): void {
  try {
    const writtenAt = Date.now();
    const files: Meta['files'] = [];
    for (const f of facts.raw.files) files.push([f, ...statKey(fs.statSync(f))]);
    const chunks: Uint8Array[] = [];
    let off = 0;
    const kinds: Meta['kinds'] = {};
    for (const [k, s] of Object.entries(facts.raw.index) as [string, NameIndexSnapshot][]) {
      const arrays = {} as Record<ArrayName | 'lists', [number, number]>;
      for (const a of [...ARRAYS, 'lists'] as const) {
        const v = a === 'lists' ? flattenLists(s.lists) : s[a];
        const pad = (4 - (off % 4)) % 4; // read back as views of the file's buffer: keep them aligned
        if (pad) { chunks.push(Buffer.alloc(pad)); off += pad; }
        arrays[a] = [off, v.length];
        const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        chunks.push(b);
        off += b.length;
      }
      kinds[k] = { n: s.n, used: s.used, other: s.other, arrays };
    }
    const meta: Meta = { schema: SCHEMA, salt: codeSalt(), writtenAt, dirs: walkDirs(facts.raw.dirs, new Set(facts.raw.flat)), files, ...(facts.raw.shapes ? { shapes: facts.raw.shapes } : {}), table: facts.raw.table, kinds, extra: facts.extra };
    const head = JSON.stringify({ meta, dirs: facts.raw.dirs, flat: facts.raw.flat });
    const n = Buffer.byteLength(head);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(n, 0);
    // in pieces, not one concatenated buffer (writeAtomic.ts)
    writeAtomic(file, [len, head, Buffer.alloc((4 - (n % 4)) % 4), ...chunks]);
  } catch {
    // a header gone meanwhile: only the next run's speed is lost
  }
}

/**
 * The saved facts when every header and folder is as it was saved, else undefined; with `changed`,
 * also facts saved by this code for the same dirs whose headers changed since, with what changed:
 * the headers under the dirs walked again in indexing order and each one's stat compared
 * (TypeIndex.importRawChanged takes them).
 */
export function loadHeaderFacts(file: string, dirs: string[], opts: { changed?: boolean; known?: (abs: string) => StatKey | undefined } = {}): SavedHeaderFacts | undefined {
  let buf: Buffer;
  try { buf = readBytes(file); } catch { return undefined; } // freed once copied: see readText.ts
  try {
    const n = buf.readUInt32LE(0);
    const { meta, dirs: savedDirs, flat } = JSON.parse(buf.toString('utf8', 4, 4 + n)) as { meta: Meta; dirs: string[]; flat: string[] };
    if (meta.schema !== SCHEMA || meta.salt !== codeSalt() || savedDirs.join('\0') !== dirs.join('\0')) return undefined;
    let changes: HeaderChanges | undefined;
    // the headers' stats as the tree's stamp took them, when given (~9,000 stats of this thread)
    if ([...meta.dirs, ...meta.files].some(([f, ...k]) => !statUnchanged(f, k, meta.writtenAt, opts.known?.(f)))) {
      if (!opts.changed) return undefined;
      changes = changesSince(meta, savedDirs, flat, opts.known);
    }
    // views of the file's own buffer, not copies (a file this size is not in Buffer's shared pool)
    const base = buf.byteOffset + 4 + n + ((4 - (n % 4)) % 4);
    const view = (a: ArrayName | 'lists', [off, len]: [number, number]) => new CTORS[a](buf.buffer as ArrayBuffer, base + off, len);
    const index = {} as RawSnapshot['index'];
    for (const [k, v] of Object.entries(meta.kinds)) {
      const arr = {} as Record<ArrayName, Typed>;
      for (const a of ARRAYS) arr[a] = view(a, v.arrays[a]);
      const lists = unflattenLists(view('lists', v.arrays.lists) as Int32Array);
      index[k as keyof RawSnapshot['index']] = { n: v.n, used: v.used, lists, other: v.other, ...arr } as NameIndexSnapshot;
    }
    return { raw: { dirs: savedDirs, flat, table: meta.table, files: meta.files.map((f) => f[0]), index, ...(meta.shapes ? { shapes: meta.shapes } : {}) }, extra: meta.extra, ...(changes ? { changes } : {}) };
  } catch {
    return undefined; // a header gone, or a truncated or foreign file: build the index again
  }
}

/** The headers under `dirs` now, and which of them to read again and whose saved entries go. */
function changesSince(meta: Meta, dirs: string[], flat: string[], known?: (abs: string) => StatKey | undefined): HeaderChanges {
  const walk = headerWalk(dirs, new Set(flat));
  const saved = new Map(meta.files.map(([f, ...k]) => [f, k]));
  const reread: string[] = [];
  const dropped: string[] = [];
  for (const f of walk) {
    const k = saved.get(f);
    if (k && statUnchanged(f, k, meta.writtenAt, known?.(f))) continue;
    reread.push(f);
    if (k) dropped.push(f);
  }
  const now = new Set(walk);
  for (const f of saved.keys()) if (!now.has(f)) dropped.push(f);
  return { walk, reread, dropped };
}
