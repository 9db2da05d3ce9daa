// Ground truth from the real toolchain: compile C with gcc, link the per-CPU sections with ld
// using the kernel's PERCPU_INPUT order, read symbols with nm. Used to check our model, never built from it.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function autoconfFrom(dotConfig: string): string {
  const out: string[] = [];
  for (const l of dotConfig.split('\n')) {
    const m = /^(CONFIG_\w+)=(.*)$/.exec(l);
    if (!m) continue;
    if (m[2] === 'y') out.push(`#define ${m[1]} 1`);
    else if (m[2] === 'm') out.push(`#define ${m[1]}_MODULE 1`);
    else out.push(`#define ${m[1]} ${m[2]}`);
  }
  return out.join('\n') + '\n';
}

const LDS = (page: number, line: number) => `SECTIONS {
  .data..percpu 0 : {
    __per_cpu_start = .;
    *(.data..percpu..first)
    . = ALIGN(${page});
    *(.data..percpu..page_aligned)
    . = ALIGN(${line});
    *(.data..percpu..read_mostly)
    . = ALIGN(${line});
    *(.data..percpu)
    *(.data..percpu..shared_aligned)
    __per_cpu_end = .;
  }
  /DISCARD/ : { *(*) }
}
`;

export interface Truth {
  staticSize: number;
  symbols: Map<string, { offset: number; size: number }>;
  modules: Map<string, number>;
}

/** relocatable: link like link-vmlinux.sh with CONFIG_X86_KERNEL_IBT, from one `ld -r` vmlinux.o */
export function gccTruth(root: string, builtin: string[], modules: Record<string, string[]>, flags: string[] = ['-O2'], relocatable = false, cacheLine = 64): Truth {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-truth-'));
  try {
    fs.writeFileSync(path.join(tmp, 'autoconf.h'), autoconfFrom(fs.readFileSync(path.join(root, '.config'), 'utf8')));
    const cc = (f: string) => {
      const o = path.join(tmp, f.replace(/[/.]/g, '_') + '.o');
      execFileSync('gcc', [...flags, '-c', '-I', path.join(root, 'include'), '-include', path.join(tmp, 'autoconf.h'), path.join(root, f), '-o', o]);
      return o;
    };
    fs.writeFileSync(path.join(tmp, 'pcpu.lds'), LDS(4096, cacheLine));
    const out = path.join(tmp, 'vmlinux');
    let objs = builtin.map(cc);
    if (relocatable) {
      const vo = path.join(tmp, 'vmlinux.o');
      execFileSync('ld', ['-r', '-o', vo, ...objs]);
      objs = [vo];
    }
    execFileSync('ld', ['-T', path.join(tmp, 'pcpu.lds'), '--unresolved-symbols=ignore-all', '-e', '0', '-o', out, ...objs]);
    const symbols = new Map<string, { offset: number; size: number }>();
    let start = 0;
    let end = 0;
    for (const l of execFileSync('nm', ['-S', out], { encoding: 'utf8' }).split('\n')) {
      const p = l.trim().split(/\s+/);
      if (p.length === 4) symbols.set(p[3], { offset: parseInt(p[0], 16), size: parseInt(p[1], 16) });
      else if (p.length === 3 && p[2] === '__per_cpu_start') start = parseInt(p[0], 16);
      else if (p.length === 3 && p[2] === '__per_cpu_end') end = parseInt(p[0], 16);
    }
    const mods = new Map<string, number>();
    for (const [name, files] of Object.entries(modules)) {
      const ko = path.join(tmp, `${name}.ko`);
      execFileSync('ld', ['-r', '-o', ko, ...files.map(cc)]);
      const h = execFileSync('objdump', ['-h', ko], { encoding: 'utf8' });
      const m = /\s\.data\.\.percpu\s+([0-9a-f]+)/.exec(h);
      mods.set(name, m ? parseInt(m[1], 16) : 0);
    }
    return { staticSize: end - start, symbols, modules: mods };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
