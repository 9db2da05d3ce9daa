// The two sides of a diff as trees the estimate can read: two folders as given; two git revisions
// (each an overlay of the working tree: the files that differ from the revision, from git
// archive; OLD the user's folder itself when it is a clean checkout of A); or a folder plus a patch
// (NEW an overlay: only the touched files are copied to a temporary folder and patched there).
// The user's checkout is never written. cleanup() removes what was made.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Overlay } from '../../overlay';
import { patchedFiles } from './patchFiles';

export interface DiffSide {
  root: string;
  /** this side as `root` with these files replaced; absent: `root` is this side's tree as it is on disk */
  overlay?: Overlay;
  /** what the reports call this side (a folder, a revision, "DIR + patch") */
  label: string;
}

export interface Materialised {
  old: DiffSide;
  new: DiffSide;
  notes: string[];
  cleanup(): void;
}

export class InputError extends Error {}

const run = (cmd: string, args: string[], opts: { cwd?: string; input?: Buffer | string } = {}): Buffer => {
  try {
    return execFileSync(cmd, args, { cwd: opts.cwd, input: opts.input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const x = e as { stderr?: Buffer; code?: string; message: string };
    if (x.code === 'ENOENT') throw new InputError(`${cmd} is not installed`);
    const err = x.stderr?.toString().trim();
    throw new InputError(`${cmd} ${args.slice(0, 3).join(' ')}: ${err || x.message}`);
  }
};
const git = (dir: string, ...args: string[]) => run('git', ['-C', dir, ...args]).toString().trim();

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-diff-'));
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function fromTrees(oldDir: string, newDir: string): Materialised {
  for (const d of [oldDir, newDir]) if (!isDir(d)) throw new InputError(`not a directory: ${d}`);
  return { old: { root: path.resolve(oldDir), label: oldDir }, new: { root: path.resolve(newDir), label: newDir }, notes: [], cleanup: () => {} };
}

/** Overlay entries for `rels` from a folder holding their new texts (a missing file = deleted). */
function overlayFrom(root: string, dir: string, rels: Iterable<string>): Overlay {
  const files = new Map<string, string | null>();
  for (const r of rels) {
    const p = path.join(dir, r);
    files.set(r, fs.existsSync(p) && fs.statSync(p).isFile() ? p : null);
  }
  return { root, files };
}

export function fromPatch(patchFile: string, dir: string, stripCount = 1): Materialised {
  if (!isDir(dir)) throw new InputError(`not a directory: ${dir}`);
  let text: string;
  try {
    text = fs.readFileSync(patchFile, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read patch ${patchFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const touched = patchedFiles(text, stripCount);
  if (!touched.length) throw new InputError(`${patchFile}: no file diffs found (a unified diff or a git patch/mbox is expected)`);
  const root = path.resolve(dir);
  const tmp = tempDir();
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const work = path.join(tmp, 'new');
    const rels = new Set<string>();
    for (const f of touched) {
      for (const r of [f.old, f.new]) {
        if (r === undefined) continue;
        if (r.split('/').includes('..') || path.isAbsolute(r)) throw new InputError(`${patchFile}: path outside the tree: ${r}`);
        rels.add(r);
      }
      if (f.old === undefined) continue;
      const src = path.join(root, f.old);
      if (!fs.existsSync(src)) throw new InputError(`${patchFile}: ${f.old} is not in ${dir} (wrong tree, or a -p level other than ${stripCount}?)`);
      fs.mkdirSync(path.dirname(path.join(work, f.old)), { recursive: true });
      fs.copyFileSync(src, path.join(work, f.old));
    }
    fs.mkdirSync(work, { recursive: true });
    const abs = path.resolve(patchFile);
    try {
      run('git', ['apply', `-p${stripCount}`, '--whitespace=nowarn', abs], { cwd: work });
    } catch (e) {
      if (!(e instanceof InputError) || !/not installed/.test(e.message)) throw new InputError(`the patch does not apply to ${dir}: ${e instanceof Error ? e.message : e}`);
      run('patch', [`-p${stripCount}`, '--batch', '--silent', '-d', work, '-i', abs]);
    }
    return {
      old: { root, label: dir },
      new: { root, overlay: overlayFrom(root, work, rels), label: `${dir} + ${path.basename(patchFile)}` },
      notes: [`${rels.size} file(s) touched by ${path.basename(patchFile)}: ${[...rels].slice(0, 8).join(', ')}${rels.size > 8 ? ', ...' : ''}`],
      cleanup,
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}

interface Repo { top: string; prefix: string; sha: (rev: string) => string }

function repoOf(dir: string): Repo {
  if (!isDir(dir)) throw new InputError(`not a directory: ${dir}`);
  const top = git(dir, 'rev-parse', '--show-toplevel');
  const prefix = git(dir, 'rev-parse', '--show-prefix'); // '' or 'sub/dir/'
  const sha = (r: string) => {
    try {
      return git(dir, 'rev-parse', '--verify', '--quiet', `${r}^{commit}`);
    } catch {
      throw new InputError(`not a revision of ${top}: ${r}`);
    }
  };
  return { top, prefix, sha };
}

/**
 * Revision `sha` as an overlay of the working tree: the files `git diff SHA` lists (tracked files
 * that differ) taken from the revision with `git archive` into `into`, and untracked files absent.
 */
function revisionOverlay(r: Repo, sha: string, into: string): { overlay: Overlay; count: number; untracked: number } {
  const { top, prefix } = r;
  const parts = run('git', ['-C', top, 'diff', '--name-status', '--no-renames', '-z', sha, '--', prefix || '.']).toString().split('\0').filter(Boolean);
  const inRev: string[] = [];
  const changed: string[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    changed.push(parts[i + 1]);
    if (parts[i] !== 'A') inRev.push(parts[i + 1]); // A: in the working tree, not in the revision
  }
  const untracked = run('git', ['-C', top, 'ls-files', '--others', '--exclude-standard', '-z', '--', prefix || '.']).toString().split('\0').filter(Boolean);
  changed.push(...untracked);
  fs.mkdirSync(into, { recursive: true });
  if (inRev.length) run('tar', ['-x', '-C', into], { input: run('git', ['-C', top, 'archive', '--format=tar', sha, '--', ...inRev]) });
  const root = path.join(top, prefix);
  return { overlay: overlayFrom(root, path.join(into, prefix), changed.map((f) => f.slice(prefix.length))), count: changed.length, untracked: untracked.length };
}

/**
 * OLD = revision a, NEW = revision b of the repository holding `dir` (the tree is `dir`, maybe a
 * subfolder). Nothing is checked out: each side is the working tree with the files that differ
 * from its revision taken from it (`git archive`), so the scan of the working tree, warm in the
 * cache, serves both. When the checkout is at A with no local changes, OLD is the folder itself.
 */
export function fromGit(a: string, b: string, dir: string): Materialised {
  const r = repoOf(dir);
  const [sa, sb] = [r.sha(a), r.sha(b)];
  const root = path.join(r.top, r.prefix);
  const tmp = tempDir();
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const nb = revisionOverlay(r, sb, path.join(tmp, 'new'));
    const notes = [`${b} (${sb.slice(0, 12)}): ${nb.count} file(s) differ from the working tree`];
    // untracked files count too: a new .c in the folder would be scanned as part of A
    if (git(r.top, 'rev-parse', 'HEAD') === sa && git(r.top, 'status', '--porcelain') === '') {
      notes.unshift(`${a}: read from the checkout itself (HEAD, no local changes)`);
      return { old: { root, label: a }, new: { root, overlay: nb.overlay, label: b }, notes, cleanup };
    }
    const na = revisionOverlay(r, sa, path.join(tmp, 'old'));
    notes.unshift(`${a} (${sa.slice(0, 12)}): ${na.count} file(s) differ from the working tree`);
    return { old: { root, overlay: na.overlay, label: a }, new: { root, overlay: nb.overlay, label: b }, notes, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/**
 * OLD = revision `rev`, NEW = the working tree of `dir` as it is (uncommitted and untracked files
 * included), as `git diff REV` sees it. Nothing is checked out.
 */
export function fromWorkingTree(rev: string, dir: string): Materialised {
  const r = repoOf(dir);
  const sha = r.sha(rev);
  const tmp = tempDir();
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const o = revisionOverlay(r, sha, tmp);
    const root = path.join(r.top, r.prefix);
    return {
      old: { root, overlay: o.overlay, label: rev },
      new: { root, label: 'working tree' },
      notes: [`${o.count} file(s) differ between ${rev} (${sha.slice(0, 12)}) and the working tree${o.untracked ? ` (${o.untracked} untracked)` : ''}`],
      cleanup,
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
