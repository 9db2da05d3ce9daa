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
