// The files a patch touches, read from its headers (git `diff --git`, or plain unified `---`/`+++`
// pairs, as `diff -u` and quilt write them; mail headers and commit messages around them are
// skipped as `patch` and `git apply` skip them). Paths lose their first component (-p1).
export interface PatchedFile {
  /** path in the old tree (undefined when the patch creates the file) */
  old?: string;
  /** path in the new tree (undefined when the patch deletes the file) */
  new?: string;
}

const strip = (p: string, n: number): string | undefined => {
  p = p.replace(/\t.*$/, '').trim();
  if (p.startsWith('"') && p.endsWith('"')) p = p.slice(1, -1);
  if (p === '/dev/null') return undefined;
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  if (parts.length <= n) return p;
  return parts.slice(n).join('/');
};

/** Each touched file once, in patch order (a file patched twice in a series appears once). */
export function patchedFiles(text: string, stripCount = 1): PatchedFile[] {
  const out = new Map<string, PatchedFile>();
  const add = (f: PatchedFile) => {
    const k = `${f.old ?? ''}\0${f.new ?? ''}`;
    if (f.old === undefined && f.new === undefined) return;
    if (!out.has(k)) out.set(k, { ...(f.old !== undefined ? { old: f.old } : {}), ...(f.new !== undefined ? { new: f.new } : {}) });
  };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ') && /^@@ /.test(lines[i + 2] ?? '')) {
      add({ old: strip(l.slice(4), stripCount), new: strip(lines[i + 1].slice(4), stripCount) });
      i += 2;
    } else if (l.startsWith('diff --git ')) {
      // a git header without ---/+++ (rename, mode change, binary): read the names from the header
      let j = i + 1;
      let renameFrom: string | undefined, renameTo: string | undefined, created = false, deleted = false;
      while (j < lines.length && !lines[j].startsWith('diff --git ') && !lines[j].startsWith('--- ') && !lines[j].startsWith('@@')) {
        const m = /^(rename|copy) (from|to) (.*)$/.exec(lines[j]);
        if (m) (m[2] === 'from' ? (renameFrom = m[3]) : (renameTo = m[3]));
        if (lines[j].startsWith('new file mode')) created = true;
        if (lines[j].startsWith('deleted file mode')) deleted = true;
        j++;
      }
      if (lines[j]?.startsWith('--- ')) continue; // the ---/+++ pair names them
      const m = /^diff --git (?:"?a\/)?(.+?)"? (?:"?b\/)?(.+?)"?$/.exec(l);
      if (!m) continue;
      const a = renameFrom ?? m[1], b = renameTo ?? m[2];
      add({ old: created ? undefined : a, new: deleted ? undefined : b });
    }
  }
  return [...out.values()];
}
