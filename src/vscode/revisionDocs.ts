// Read-only documents of a file as a git revision holds it (`git show REV:./FILE` in the folder), so
// the diff panel opens a removed item's definition where it still stands: in the OLD side.
import { execFile } from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import { isSafeRevision } from './messages';

export const REVISION_SCHEME = 'percpu-lens-rev';


/** percpu-lens-rev:/ROOT/FILE?REV, shown as "FILE (REV)" */
export function revisionUri(root: string, file: string, rev: string): vscode.Uri {
  return vscode.Uri.from({ scheme: REVISION_SCHEME, path: path.posix.join(root.split(path.sep).join('/'), file), query: rev });
}

export class RevisionDocs implements vscode.TextDocumentContentProvider {
  constructor(private readonly root: () => string | undefined) {}

  provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const root = this.root();
    const rev = uri.query;
    const file = root ? path.relative(root, uri.path) : '';
    if (!root || !isSafeRevision(rev) || !file || file.startsWith('..') || path.isAbsolute(file)) return Promise.reject(new Error(`not a file of the workspace at a revision: ${uri.toString()}`));
    return new Promise((resolve, reject) =>
      execFile('git', ['show', `${rev}:./${file.split(path.sep).join('/')}`], { cwd: root, maxBuffer: 64 << 20 }, (e, out, err) =>
        (e ? reject(new Error(`git show ${rev}:${file}: ${String(err).trim() || e.message}`)) : resolve(out))));
  }
}
