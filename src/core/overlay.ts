// A tree seen with some files replaced or deleted, without copying the rest: `diff --patch` and
// `diff --git` estimate NEW as the OLD tree with the changed files read from a small folder.
// Every source read of the core goes through readText (and include lookups through fileExists),
// so one redirect table covers Kbuild, the type index, the sizing and the rules. Only one overlay
// is active at a time (the diff runs OLD then NEW); the scan's workers never see it (NEW's scan is
// OLD's with the changed files re-scanned from the overlay folder).
import * as fs from 'fs';
import * as path from 'path';

export interface Overlay {
  /** the tree the overlay applies to */
  root: string;
  /** root-relative path → absolute path of the new text, or null when the file is deleted */
  files: ReadonlyMap<string, string | null>;
}

let active: Map<string, string | null> | undefined;

/** Runs `fn` with reads under overlay.root redirected; the redirect ends when `fn` settles. */
export async function withOverlay<T>(ov: Overlay, fn: () => Promise<T>): Promise<T> {
  if (active) throw new Error('an overlay is already active');
  const root = path.resolve(ov.root);
  active = new Map([...ov.files].map(([rel, to]) => [path.join(root, rel), to]));
  try {
    return await fn();
  } finally {
    active = undefined;
  }
}

/** Whether reads are redirected now (stat-keyed caches must not take or keep answers then). */
export function overlayActive(): boolean {
  return active !== undefined;
}

/** The file to open for `file`: its overlay copy, or itself. A deleted file throws ENOENT, as the disk would. */
export function redirect(file: string): string {
  if (!active) return file;
  const to = active.get(path.resolve(file));
  if (to === undefined) return file;
  if (to === null) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
  return to;
}

/** fs.existsSync through the overlay (an added header resolves, a deleted one does not). */
export function fileExists(file: string): boolean {
  return overlaid(file) ?? fs.existsSync(file);
}

/** Whether the active overlay has `file` (true: added or replaced, false: deleted); undefined when it does not say. */
export function overlaid(file: string): boolean | undefined {
  const to = active?.get(path.resolve(file));
  return to === undefined ? undefined : to !== null;
}
