// A small kernel-like tree in a temporary folder, for tests that read files from disk.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Writes `files` (tree-relative path → text) under a new temporary folder and returns its path. */
export function tempTree(prefix: string, files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `percpu-lens-${prefix}-`));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

/** Removes a tree tempTree made. */
export function removeTree(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** `paths` dated an hour ago (folders with everything under them): edited well before a run, outside the racy window of the stat-keyed caches */
export function age(...paths: string[]): void {
  const t = new Date(Date.now() - 3600 * 1000 - Math.random() * 1000);
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p, { recursive: true, withFileTypes: true })) fs.utimesSync(path.join(e.parentPath, e.name), t, t);
    fs.utimesSync(p, t, t);
  }
}
