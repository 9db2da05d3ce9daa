// Lists the files under a root that the scan should read. Follows directory symlinks once (a loop
// is reported, not followed); unreadable entries are reported and skipped.
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';

export interface WalkResult {
  files: string[]; // relative to root, '/' separated
  errors: { file: string; message: string }[];
}

/** Directories listed between two yields to the event loop, so a cancel is seen within milliseconds. */
const YIELD_EVERY = 32;

export async function walkTree(root: string, include: string[], exclude: string[], signal?: AbortSignal): Promise<WalkResult> {
  const inc = picomatch(include, { dot: true });
  const exc = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  const out: WalkResult = { files: [], errors: [] };
  const seen = new Set<string>();
  const stackReal: string[] = []; // real paths of the directories being visited (to tell loops)
  let listed = 0;
  // `realOf`: the directory's real path when its parent's is known and it is no symlink (the parent's
  // joined with its name); else realpath is asked (the root, a symlinked directory): ~5,000 fewer
  // realpath calls, each an lstat per path component, on a kernel tree
  const visit = async (abs: string, rel: string, realOf?: string): Promise<void> => {
    if (++listed % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
    if (signal?.aborted) return;
    let real: string;
    try {
      real = realOf ?? fs.realpathSync(abs);
    } catch (e) {
      out.errors.push({ file: rel || '.', message: `cannot resolve: ${(e as Error).message}` });
      return;
    }
    if (seen.has(real)) {
      // A second path to a directory already listed (symlink alias) adds nothing; a loop is reported.
      if (stackReal.some((r) => r === real)) out.errors.push({ file: rel, message: `symlink loop back to ${real}; not followed` });
      return;
    }
    seen.add(real);
    stackReal.push(real);
    let ents: fs.Dirent[];
    try {
      ents = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      out.errors.push({ file: rel || '.', message: `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      return;
    }
    ents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // `abs` is normalized and an entry's name holds no separator: joined by hand (path.join
    // normalizes again: ~60 ms of a kernel tree's 86,000 entries)
    const under = abs.endsWith(path.sep) ? abs : abs + path.sep;
    for (const e of ents) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = fs.statSync(under + e.name);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (err) {
          out.errors.push({ file: r, message: `broken symlink: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
          continue;
        }
      }
      if (isDir) {
        if (e.name === '.git' || exc(r + '/')) continue;
        await visit(under + e.name, r, e.isSymbolicLink() ? undefined : path.join(real, e.name));
      } else if (isFile && inc(r) && !exc(r)) {
        out.files.push(r);
      }
    }
    stackReal.pop();
  };
  await visit(path.resolve(root), '');
  return out;
}

/**
 * walkTree's file list read off a tree's stamp instead of walking the tree again: `paths` are every
 * entry below the root but directories (`.git` skipped), in the stamp's order (name order, depth
 * first: walkTree's), and `odd` the stamp's entries the stats cannot place (resultCache.ts
 * TreeStamp). Undefined when an odd entry lies where walkTree would look: a symlinked directory
 * (walkTree lists it once, by real path), a broken symlink or an unreadable directory (errors), a
 * fifo or socket (not listed); the caller walks then.
 */
export function listedFrom(paths: Iterable<string>, odd: readonly string[], include: string[], exclude: string[]): string[] | undefined {
  const inc = picomatch(include, { dot: true });
  const exc = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  const pruned = new Map<string, boolean>(); // directory -> whether walkTree skips it (it or a parent excluded)
  const prunedDir = (d: string): boolean => {
    let v = pruned.get(d);
    if (v === undefined) {
      const i = d.lastIndexOf('/');
      v = (i >= 0 && prunedDir(d.slice(0, i))) || exc(d + '/');
      pruned.set(d, v);
    }
    return v;
  };
  const inPruned = (r: string) => { const i = r.lastIndexOf('/'); return i >= 0 && prunedDir(r.slice(0, i)); };
  for (const o of odd) {
    const kind = o[0];
    const r = o.slice(1);
    if (!r) return undefined; // the root itself
    // a directory walkTree would skip by its own name, or anything under a skipped one
    if (!(inPruned(r) || ((kind === 'd' || kind === 'u') && prunedDir(r)))) return undefined;
  }
  const out: string[] = [];
  for (const r of paths) if (!inPruned(r) && inc(r) && !exc(r)) out.push(r);
  return out;
}
