// `// percpu-lens: ignore PCPU003` (or `/* ... */`, several codes, or no code = all) on the
// diagnostic's line or the line above silences it, like checkpatch's --ignore per line.
import type { Diagnostic } from './types';

const IGNORE_RE = /percpu-lens:\s*ignore\b([\w\s,]*)/;

function codesOn(line: string | undefined): Set<string> | 'all' | undefined {
  if (!line) return undefined;
  const m = IGNORE_RE.exec(line);
  if (!m) return undefined;
  const codes = m[1].match(/PCPU\d{3}/gi);
  return codes ? new Set(codes.map((c) => c.toUpperCase())) : 'all';
}

export function isSuppressed(lines: string[], d: Diagnostic): boolean {
  for (const l of [d.line, d.line - 1]) {
    const c = codesOn(lines[l - 1]);
    if (c === 'all' || (c && c.has(d.code))) return true;
  }
  return false;
}

export function dropSuppressed(text: string | undefined, ds: Diagnostic[]): Diagnostic[] {
  if (text === undefined || !text.includes('percpu-lens:')) return ds;
  const lines = text.split('\n');
  return ds.filter((d) => !isSuppressed(lines, d));
}
