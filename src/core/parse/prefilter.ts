// Byte-level prefilter: a file without any trigger token cannot hold a finding, so it is neither
// decoded nor lexed. Every file of the tree passes through here (1.3 GB of linux 6.12): one pass of
// a WebAssembly SIMD search for all the tokens (prefilter.wat), where Buffer.indexOf took one pass
// per token (1.7 s of CPU per run for the nine pieces of before, ~0.4 s now for the eleven
// tokens). Without WebAssembly SIMD, indexOf.
import { ACCESSOR_TOKENS, PREFILTER_TOKENS } from './triggers';
import { PREFILTER_WASM } from './prefilterWasm';

/** prefilter()'s bits: a trigger token (PREFILTER_TOKENS) occurs; an accessor token (ACCESSOR_TOKENS) occurs. */
export const TRIGGER = 1;
export const ACCESSOR = 2;

/**
 * Where each token's search fingerprint starts: its least common three bytes in kernel C (counted
 * over kernel/, mm/, include/, fs/ and drivers/net/ of linux 6.12). Any offset finds the same
 * files; a common trigram only makes the search stop to compare more often.
 */
const FINGERPRINT_AT: Readonly<Record<string, number>> = {
  PER_CPU: 3, NR_CPUS: 4, percpu: 2, atomic_t: 5, atomic_long_t: 5, refcount_t: 1, local_t: 4, kref: 0,
  smp_processor_id: 0, get_cpu_var: 6, get_cpu_ptr: 6,
};

/** Where the data starts in the search's memory (the tables are below), and the readable bytes that must follow it. */
export const DATA = 1024;
export const PAD = 32;
/** Files up to this size are read straight into the search's memory (scanFile's read buffer); it never shrinks, so bigger ones are not. */
export const IN_PLACE_LIMIT = 16 * 1024 * 1024;
const PAGE = 65536;

const NEEDLES: readonly [string, number][] = [...PREFILTER_TOKENS.map((t): [string, number] => [t, TRIGGER]), ...ACCESSOR_TOKENS.map((t): [string, number] => [t, ACCESSOR])];
const BYTES = NEEDLES.map(([t]) => Buffer.from(t, 'latin1'));

/** prefilter.wat's exports (its tables filled by fillNeedles) */
interface Search { memory: WasmMemory; scan: (ptr: number, len: number, want: number) => number }
let search: Search | null | undefined; // per thread, made on first use; null: not available here

/**
 * Writes prefilter.wat's needle tables into `mem` (the search's memory) for `needles`: [the needle
 * as a latin1 string, its group bits (one byte), where its 3-byte fingerprint starts]; needle k
 * takes bucket k % 8. False when they do not fit: more than 16, one over 28 bytes, a fingerprint
 * past its end. Self-contained (it names nothing outside itself): the mention search's worker runs
 * it from its source text (estimate/fileFacts.ts).
 */
export function fillNeedles(mem: Uint8Array, needles: readonly (readonly [string, number, number])[]): boolean {
  if (needles.length > 16) return false;
  mem.fill(0, 0, 128 + 32 * 16);
  for (let k = 0; k < needles.length; k++) {
    const [t, group, fp] = needles[k];
    if (t.length > 28 || fp < 0 || fp + 3 > t.length) return false;
    const bucket = 1 << (k % 8); // 8 buckets: needles k and k + 8 share one, each compared when it matches
    const e = 128 + 32 * k;
    mem[e] = bucket;
    mem[e + 1] = fp;
    mem[e + 2] = t.length;
    mem[e + 3] = group;
    for (let j = 0; j < t.length; j++) mem[e + 4 + j] = t.charCodeAt(j) & 0xff;
    for (let j = 0; j < 3; j++) {
      const c = t.charCodeAt(fp + j) & 0xff;
      mem[32 * j + (c & 15)] |= bucket;
      mem[32 * j + 16 + (c >> 4)] |= bucket;
    }
  }
  return true;
}

/** The WebAssembly search with the needle tables filled in, or null (no SIMD; a table that does not fit: the tests check it does). */
function wasmSearch(): Search | null {
  if (search !== undefined) return search;
  search = null;
  try {
    const bytes = Buffer.from(PREFILTER_WASM, 'base64');
    if (!WebAssembly.validate(bytes)) return search;
    const x = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Search & { setNeedles(n: number): void };
    if (!fillNeedles(new Uint8Array(x.memory.buffer), NEEDLES.map(([t, group]) => [t, group, FINGERPRINT_AT[t] ?? 0]))) return search;
    x.setNeedles(NEEDLES.length);
    search = { memory: x.memory, scan: x.scan };
  } catch {
    search = null;
  }
  return search;
}

/** Grows the search's memory to hold n bytes of data (its old views are detached by the growth); false if it cannot. */
function room(s: Search, n: number): boolean {
  const need = DATA + n + PAD;
  try {
    if (s.memory.buffer.byteLength < need) s.memory.grow(Math.ceil((need - s.memory.buffer.byteLength) / PAGE));
    return true;
  } catch {
    return false; // no memory for it: the caller reads and searches the file the plain way
  }
}

/**
 * A buffer of n bytes inside the search's memory, to read a file into (prefilter then searches it
 * in place): valid until the next call. Undefined above IN_PLACE_LIMIT or without the search.
 */
export function searchBuffer(n: number): Buffer | undefined {
  const s = n <= IN_PLACE_LIMIT ? wasmSearch() : null;
  return s && room(s, n) ? Buffer.from(s.memory.buffer, DATA, n) : undefined;
}

/** TRIGGER and ACCESSOR bits of the tokens `b` holds. */
export function prefilter(b: Buffer): number {
  const s = wasmSearch();
  if (!s || b.length > IN_PLACE_LIMIT) return byIndexOf(b);
  if (b.buffer !== s.memory.buffer || b.byteOffset !== DATA) {
    if (!room(s, b.length)) return byIndexOf(b);
    new Uint8Array(s.memory.buffer, DATA, b.length).set(b);
  }
  return s.scan(DATA, b.length, TRIGGER | ACCESSOR);
}

/** prefilter with Buffer.indexOf, one pass per token: the fallback (no SIMD, a file over IN_PLACE_LIMIT). */
export function byIndexOf(b: Buffer): number {
  let bits = 0;
  for (let k = 0; k < NEEDLES.length; k++) if (!(bits & NEEDLES[k][1]) && b.indexOf(BYTES[k]) >= 0) bits |= NEEDLES[k][1];
  return bits;
}

/** Whether the WebAssembly search serves here (the tests check it does on Node). */
export function searchInUse(): boolean {
  return wasmSearch() !== null;
}
