// pahole's vocabulary for a layout: offsets and sizes per member, holes, padding, cache lines.
import type { Layout } from './index';
import { cDeclaration } from './cDecl';

export function formatPahole(name: string, l: Layout, cacheLine: number): string {
  const lines: string[] = [`${name} {`];
  let end = 0;
  let lastLine = 0;
  let bitEnd = 0;
  for (const m of l.members ?? []) {
    const start = m.offset;
    if (m.bitSize === undefined && start > end) lines.push(`\n\t/* XXX ${start - end} byte${start - end === 1 ? '' : 's'} hole, try to pack */\n`);
    // as pahole: one line before the first member on a new cache line, however many lines it skips
    const n = Math.floor(start / cacheLine);
    if (n > lastLine) {
      const ago = start % cacheLine;
      lines.push(`\t/* --- cacheline ${n} boundary (${n * cacheLine} bytes)${ago ? ` was ${ago} bytes ago` : ''} --- */`);
      lastLine = n;
    }
    const decl = `\t${cDeclaration(m.type, m.name || '/* anonymous */')}${m.bitSize !== undefined ? `:${m.bitSize}` : ''};`;
    const pos = m.bitSize !== undefined ? `${start}:${(m.bitOffset ?? 0) - start * 8}` : `${start}`;
    lines.push(`${`${decl} `.padEnd(48)}/* ${pos.padStart(6)} ${String(m.size).padStart(6)} */`);
    if (m.bitSize !== undefined) { bitEnd = Math.max(bitEnd, (m.bitOffset ?? 0) + m.bitSize); end = Math.max(end, Math.ceil(bitEnd / 8)); }
    else end = Math.max(end, start + m.size);
  }
  const pad = l.size - end;
  if (l.members && pad > 0) lines.push(`\n\t/* padding: ${pad} */`);
  const lines_ = Math.ceil(l.size / cacheLine);
  lines.push(`\n\t/* size: ${l.size}, cachelines: ${lines_}, members: ${l.members?.length ?? 0} */`);
  if (l.members && pad > 0) lines.push(`\t/* last cacheline: ${l.size % cacheLine || cacheLine} bytes */`);
  if (l.fallback?.length) lines.push(`\t/* fallback definitions used: ${l.fallback.join(', ')} */`);
  lines.push(`}; /* align: ${l.align} */`);
  return lines.join('\n');
}
