// Ask a real compiler: compile C with `char probe[N]` globals and read N back from the symbol table
// (`nm -S`, or `readelf -sW`, which reads every target's ELF), so cross targets need not run anything.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Compiles `source` to an object file and hands its path to `read`; the temporary folder goes after. */
function withObject<T>(compiler: string, flags: string[], source: string, read: (o: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-gcc-'));
  try {
    const c = path.join(dir, 'probe.c');
    const o = path.join(dir, 'probe.o');
    fs.writeFileSync(c, source);
    execFileSync(compiler, [...flags, '-w', '-c', c, '-o', o], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
    return read(o);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Each defined object symbol's size, as `readelf -sW` lists it. */
function readelfSizes(o: string): Map<string, number> {
  const out = new Map<string, number>();
  // "  Num:    Value          Size Type    Bind   Vis      Ndx Name"
  for (const line of execFileSync('readelf', ['-sW', o], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[3] === 'OBJECT' && f[6] !== 'UND') out.set(f[7], Number(f[2]));
  }
  return out;
}

export function compileSizes(compiler: string, flags: string[], source: string, reader: 'nm' | 'readelf' = 'nm'): Map<string, number> {
  return withObject(compiler, flags, source, (o) => {
    if (reader === 'readelf') return readelfSizes(o);
    const out = new Map<string, number>();
    const nm = execFileSync('nm', ['-S', '--defined-only', o], { encoding: 'utf8', maxBuffer: 64 << 20 });
    for (const line of nm.split('\n')) {
      const m = /^[0-9a-f]+ ([0-9a-f]+) \w (\w+)$/.exec(line.trim());
      if (m) out.set(m[2], parseInt(m[1], 16));
    }
    return out;
  });
}

export function compilerWorks(compiler: string, flags: string[], reader: 'nm' | 'readelf' = 'nm'): string | undefined {
  try { compileSizes(compiler, flags, 'char x[sizeof(long)];\n', reader); return undefined; } catch (e) { return (e as Error).message.split('\n').slice(0, 3).join(' '); }
}

/**
 * Each section's alignment (readelf -SW's `Al`) and each object symbol's size, from one compile of
 * `source`: a variable alone in its own section gives its alignment as gcc placed it.
 */
export function compileSections(compiler: string, flags: string[], source: string): { align: Map<string, number>; sizes: Map<string, number> } {
  return withObject(compiler, flags, source, (o) => {
    const align = new Map<string, number>();
    // "  [Nr] Name Type Address Off Size ES Flg Lk Inf Al": the name has no spaces, Al is last
    for (const line of execFileSync('readelf', ['-SW', o], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n')) {
      const m = /^\s*\[\s*\d+\]\s+(\S+)\s.*\s(\d+)\s*$/.exec(line);
      if (m) align.set(m[1], Number(m[2]));
    }
    return { align, sizes: readelfSizes(o) };
  });
}
