// Name → files for the raw index, stored compactly: a kernel tree has ~300,000 macro names, most
// defined in one file. A Map of strings costs ~120 bytes a name (the string, its entry, the
// bucket); here names are bytes in one buffer and entries are typed-array slots (~14 bytes a
// name), and only names defined in several files get an array of file numbers.

export class FileTable {
  private ids = new Map<string, number>();
  readonly paths: string[] = [];

  /** A table holding `paths` in this order (a saved one, see headerCache.ts). */
  static of(paths: string[]): FileTable {
    const t = new FileTable();
    for (const p of paths) t.id(p);
    return t;
  }

  id(file: string): number {
    let i = this.ids.get(file);
    if (i === undefined) { i = this.paths.length; this.paths.push(file); this.ids.set(file, i); }
    return i;
  }
}

const nonEmpty = (l: number[] | undefined) => (l?.length ? l : undefined);

/** a name's length is kept in 16 bits; longer ones go to the fallback Map */
const MAX_LEN = 0xffff;

/** FNV-1a, 32 bits: a name is hashed from its string (hashOf) and again from its stored bytes (rehashing) */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the name's char codes; -1 when one does not fit a byte or the name is too long (kept in the fallback Map). */
function hashOf(name: string): number {
  if (name.length > MAX_LEN) return -1;
  let h = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 255) return -1;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h >>> 0;
}

export class NameIndex {
  private chars = new Uint8Array(1 << 16);
  private used = 0; // bytes of `chars` in use
  private n = 0; // entries
  private keyOff = new Int32Array(1024);
  /** no hash per entry: a probe compares lengths, then bytes; rehashing hashes the bytes again */
  private keyLen = new Uint16Array(1024);
  /** a file number, or -(i + 1) for lists[i] */
  private val = new Int32Array(1024);
  private lists: number[][] = [];
  /** entry number + 1; 0 = free */
  private slots = new Int32Array(2048);
  /** names with a char code over 255 (none in practice) */
  private other = new Map<string, number[]>();

  constructor(private files: FileTable) {}

  /** The index's arrays as they are, to be saved and given back to `restore` (headerCache.ts). */
  snapshot(): NameIndexSnapshot {
    return {
      n: this.n, used: this.used, chars: this.chars.subarray(0, this.used), keyOff: this.keyOff.subarray(0, this.n),
      keyLen: this.keyLen.subarray(0, this.n), val: this.val.subarray(0, this.n),
      slots: this.slots, lists: this.lists, other: [...this.other],
    };
  }

  /**
   * Takes a snapshot's arrays as copies with some room to grow: the snapshot's are views of the
   * saved file's one buffer (headerCache.ts), which a single view kept would hold whole, and the
   * headers of the source folders a run asks about are added later (doubling the arrays then left
   * the old and the new copies and the file alive: ~60 MB for a distro config's index).
   */
  static restore(files: FileTable, s: NameIndexSnapshot): NameIndex {
    const x = new NameIndex(files);
    const room = <T extends Uint8Array | Uint16Array | Int32Array>(a: T, min: number): T => {
      const b = new (a.constructor as new (n: number) => T)(Math.max(min, a.length + (a.length >> 3)));
      b.set(a);
      return b;
    };
    x.n = s.n;
    x.used = s.used;
    x.chars = room(s.chars, 1 << 16);
    x.keyOff = room(s.keyOff, 1024);
    x.keyLen = room(s.keyLen, 1024);
    x.val = room(s.val, 1024);
    x.slots = s.slots.slice();
    x.lists = s.lists;
    x.other = new Map(s.other);
    return x;
  }

  /** Adds `file` to `name`'s list unless it is already its last entry (a file indexes in one go). */
  add(name: string, file: string): void {
    const id = this.files.id(file);
    const h = hashOf(name);
    if (h < 0) {
      const l = this.other.get(name);
      if (!l) this.other.set(name, [id]);
      else if (l[l.length - 1] !== id) l.push(id);
      return;
    }
    const e = this.find(name, h);
    if (e < 0) { this.insert(name, h, id); return; }
    const v = this.val[e];
    if (v >= 0) { if (v !== id) { this.lists.push([v, id]); this.val[e] = -this.lists.length; } return; }
    const l = this.lists[-v - 1];
    if (l[l.length - 1] !== id) l.push(id);
  }

  /** the files, in the order they were added */
  get(name: string): string[] | undefined {
    const ids = this.ids(name);
    return ids && ids.map((i) => this.files.paths[i]);
  }

  count(name: string): number {
    return this.ids(name)?.length ?? 0;
  }

  private ids(name: string): number[] | undefined {
    const h = hashOf(name);
    if (h < 0) return nonEmpty(this.other.get(name));
    const e = this.find(name, h);
    if (e < 0) return undefined;
    const v = this.val[e];
    return v >= 0 ? [v] : nonEmpty(this.lists[-v - 1]);
  }

  /** Takes the files `ids` out of every name's list; a name left with none is as if never added. */
  dropFiles(ids: ReadonlySet<number>): void {
    if (!ids.size) return;
    for (let e = 0; e < this.n; e++) {
      const v = this.val[e];
      if (v >= 0 && ids.has(v)) { this.lists.push([]); this.val[e] = -this.lists.length; }
    }
    const keep = (l: number[]) => { let k = 0; for (const id of l) if (!ids.has(id)) l[k++] = id; l.length = k; };
    for (const l of this.lists) keep(l);
    for (const l of this.other.values()) keep(l);
  }

  /** Orders each name's files by `rank` (the order their headers are read: what adding them in that order gives). */
  orderLists(rank: (id: number) => number): void {
    const by = (a: number, b: number) => rank(a) - rank(b);
    for (const l of this.lists) if (l.length > 1) l.sort(by);
    for (const l of this.other.values()) if (l.length > 1) l.sort(by);
  }

  /** the entry holding `name`, or -1 */
  private find(name: string, h: number): number {
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s] - 1;
      if (e < 0) return -1;
      if (this.keyLen[e] === name.length && this.same(e, name)) return e;
    }
  }

  private same(e: number, name: string): boolean {
    const off = this.keyOff[e];
    for (let i = 0; i < name.length; i++) if (this.chars[off + i] !== name.charCodeAt(i)) return false;
    return true;
  }

  private insert(name: string, h: number, id: number): void {
    if (this.n === this.keyOff.length) {
      // half again: a restored index grows by a few percent in a run, a fresh one over ~20 steps
      const grow = <T extends Int32Array | Uint16Array>(a: T): T => { const b = new (a.constructor as new (n: number) => T)(Math.max(1024, a.length + (a.length >> 1))); b.set(a); return b; };
      this.keyOff = grow(this.keyOff);
      this.keyLen = grow(this.keyLen);
      this.val = grow(this.val);
    }
    while (this.used + name.length > this.chars.length) {
      const b = new Uint8Array(Math.max(1 << 16, this.chars.length + (this.chars.length >> 1)));
      b.set(this.chars);
      this.chars = b;
    }
    const e = this.n++;
    for (let i = 0; i < name.length; i++) this.chars[this.used + i] = name.charCodeAt(i);
    this.keyOff[e] = this.used;
    this.keyLen[e] = name.length;
    this.used += name.length;
    this.val[e] = id;
    if (this.n * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(e, h);
  }

  private place(e: number, h: number): void {
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = e + 1;
  }

  /** hashOf(name) of entry e, from its bytes */
  private hashAt(e: number): number {
    let h = FNV_OFFSET;
    for (let i = this.keyOff[e], end = i + this.keyLen[e]; i < end; i++) h = Math.imul(h ^ this.chars[i], FNV_PRIME);
    return h >>> 0;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let e = 0; e < this.n; e++) this.place(e, this.hashAt(e));
  }
}

/** The typed arrays of a snapshot (headerCache.ts writes them as they are; a worker moves them). */
export const SNAPSHOT_ARRAYS = ['chars', 'keyOff', 'keyLen', 'val', 'slots'] as const;

export interface NameIndexSnapshot {
  n: number;
  used: number;
  chars: Uint8Array<ArrayBuffer>;
  keyOff: Int32Array<ArrayBuffer>;
  keyLen: Uint16Array<ArrayBuffer>;
  val: Int32Array<ArrayBuffer>;
  slots: Int32Array<ArrayBuffer>;
  lists: number[][];
  other: [string, number[]][];
}
