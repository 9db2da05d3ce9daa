// Ask a real compiler: compile C with `char probe[N]` globals and read N back with `nm -S`, so
// cross targets need not run anything.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function compileSizes(compiler: string, flags: string[], source: string): Map<string, number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-gcc-'));
  try {
    const c = path.join(dir, 'probe.c');
    const o = path.join(dir, 'probe.o');
    fs.writeFileSync(c, source);
    execFileSync(compiler, [...flags, '-w', '-c', c, '-o', o], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
    const nm = execFileSync('nm', ['-S', '--defined-only', o], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const out = new Map<string, number>();
    for (const line of nm.split('\n')) {
      const m = /^[0-9a-f]+ ([0-9a-f]+) \w (\w+)$/.exec(line.trim());
      if (m) out.set(m[2], parseInt(m[1], 16));
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function compilerWorks(compiler: string, flags: string[]): string | undefined {
  try { compileSizes(compiler, flags, 'char x[sizeof(long)];\n'); return undefined; } catch (e) { return (e as Error).message.split('\n').slice(0, 3).join(' '); }
}
