// Name → files for the raw index, stored compactly: a kernel tree has ~300,000 macro names, most
// defined in one file, so a file is stored as its number and only shared names get an array.
// Names matched in a header are copied on insert (see flat.ts).
import { flat } from '../flat';

export class FileTable {
  private ids = new Map<string, number>();
  readonly paths: string[] = [];

  id(file: string): number {
    let i = this.ids.get(file);
    if (i === undefined) { i = this.paths.length; this.paths.push(file); this.ids.set(file, i); }
    return i;
  }
}

export class NameIndex {
  private map = new Map<string, number | number[]>();

  constructor(private files: FileTable) {}

  /** Adds `file` to `name`'s list unless it is already its last entry (a file indexes in one go). */
  add(name: string, file: string): void {
    const id = this.files.id(file);
    const l = this.map.get(name);
    if (l === undefined) this.map.set(flat(name), id);
    else if (typeof l === 'number') { if (l !== id) this.map.set(name, [l, id]); }
    else if (l[l.length - 1] !== id) l.push(id);
  }

  /** the files, in the order they were added */
  get(name: string): string[] | undefined {
    const l = this.map.get(name);
    if (l === undefined) return undefined;
    return typeof l === 'number' ? [this.files.paths[l]] : l.map((i) => this.files.paths[i]);
  }

  count(name: string): number {
    const l = this.map.get(name);
    return l === undefined ? 0 : typeof l === 'number' ? 1 : l.length;
  }
}
