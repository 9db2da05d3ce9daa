// The lines the kernel prints while setting up the first chunk, by era (docs/allocator.md §1.5):
// x86's "setup_percpu: NR_CPUS:..." line, the Embedded / "N 4K pages/cpu" line, and the pcpu-alloc dump.
// Lines are returned without the trailing space the kernel leaves after the last dump entry
// (dmesg pastes usually lose it).

import type { ArchProfile } from '../config/arch';
import type { EraConstants } from './era';
import { defaultCpumaskOffstack } from './era';
import type { FirstChunk } from './firstChunk';

// Plausible, atom-aligned base addresses for the @ forms (the real one depends on the memory map).
const DEFAULT_BASE: Record<string, bigint> = {
  x86_64: 0xffff88807fc00000n, i386: 0xf6c00000n, arm64: 0xffff00003fc00000n, ppc64: 0xc00000000fc00000n,
  riscv64: 0xffffffe07fc00000n, s390x: 0x000000007fc00000n, mips: 0x81c00000n, arm: 0xc0c00000n,
};
// NR_CPUS Kconfig defaults (x86: 64 on 64-bit, 8 on 32-bit), used only for the x86 line.
const DEFAULT_NR_CPUS: Record<string, number> = { x86_64: 64, i386: 8 };

export interface BootLineOpts {
  arch: ArchProfile;
  baseAddress?: bigint;
  nrCpus?: number;
  cpumaskOffstack?: boolean;
  nrNodeIds: number;
}

/** %p before pointer hashing: zero-padded to the pointer width, no 0x. */
function fmtPtr(v: bigint, bits: number): string {
  return v.toString(16).padStart(bits / 4, '0');
}

const digits = (n: number): number => String(Math.max(0, Math.trunc(n))).length;
const rounddownPow2 = (n: number): number => 2 ** Math.floor(Math.log2(n));

/** pcpu_dump_alloc_info: the header and the group listing, line breaks every `apl` allocations. */
export function allocDumpLines(fc: Pick<FirstChunk, 'static' | 'reserved' | 'dynamic' | 'unitSize' | 'allocSize' | 'atomSize' | 'groups' | 'unitMaps' | 'nrPossibleCpus'>): string[] {
  const groupWidth = digits(fc.groups.length);
  const cpuWidth = digits(fc.nrPossibleCpus);
  const empty = '-'.repeat(Math.min(cpuWidth, 8));
  const upa = fc.allocSize / fc.unitSize;
  const width = upa * (cpuWidth + 1) + groupWidth + 3;
  const apl = rounddownPow2(Math.max(Math.floor(60 / width), 1));
  const lines = [`pcpu-alloc: s${fc.static} r${fc.reserved} d${fc.dynamic} u${fc.unitSize} alloc=${fc.allocSize / fc.atomSize}*${fc.atomSize}`];
  let cur = '';
  let alloc = 0;
  fc.unitMaps.forEach((map, g) => {
    for (let u = 0; u < map.length; u += upa, alloc++) {
      if (alloc % apl === 0) {
        if (alloc) lines.push(cur.trimEnd());
        cur = 'pcpu-alloc: ';
      }
      cur += `[${String(g).padStart(groupWidth, '0')}] `;
      for (let k = u; k < u + upa; k++) cur += (map[k] < 0 ? empty : String(map[k]).padStart(cpuWidth, '0')) + ' ';
    }
  });
  if (alloc) lines.push(cur.trimEnd());
  return lines;
}

export function formatBootLines(fc: FirstChunk, c: EraConstants, o: BootLineOpts): { main: string; lines: string[] } {
  const { arch } = o;
  const b = c.boot;
  const page = fc.pageSize;
  const lines: string[] = [];
  if (arch.x86Line) {
    const nrCpus = o.nrCpus ?? Math.max(DEFAULT_NR_CPUS[arch.name], fc.nrCpuIds);
    const offstack = o.cpumaskOffstack ?? defaultCpumaskOffstack(nrCpus);
    lines.push(`${b.x86Prefix}NR_CPUS:${nrCpus} nr_cpumask_bits:${offstack ? fc.nrCpuIds : nrCpus} nr_cpu_ids:${fc.nrCpuIds} nr_node_ids:${o.nrNodeIds}`);
  }
  let base = o.baseAddress ?? DEFAULT_BASE[arch.name] ?? 0n;
  const al = BigInt(fc.helper === 'embed' ? fc.atomSize : page);
  if (o.baseAddress === undefined) base -= base % al;
  const at = b.address === 'none' ? '' : b.address === 'ptrval' ? `@${arch.bits === 64 ? '(____ptrval____)' : '(ptrval)'} `
    : b.address === 'ptrval-padded' ? `@${'(ptrval)'.padStart(arch.bits / 4)} ` : `@${fmtPtr(base, arch.bits)} `;
  const { static: s, reserved: r, dynamic: d, unitSize: u } = fc;
  let main: string;
  if (arch.fixedUnit) {
    // ia64 builds its alloc info itself and calls pcpu_setup_first_chunk: only the KERN_DEBUG dump is printed
    const dump = allocDumpLines(fc);
    lines.push(...dump);
    return { main: dump[0], lines };
  }
  if (b.family === 'v2.6.30') {
    main = fc.helper === 'embed'
      ? `PERCPU: Embedded ${Math.ceil((s + r + d) / page)} pages at ${fmtPtr(base, arch.bits)}, static data ${s} bytes`
      : `PERCPU: Allocated ${Math.ceil(s / page)} 4k pages, static data ${s} bytes`;
  } else if (b.family === 'v2.6.31') {
    main = fc.helper === 'embed'
      ? `PERCPU: Embedded ${Math.floor(fc.sizeSum / page)} pages/cpu ${at}s${s} r${r} d${d} u${u}`
      : `PERCPU: ${Math.ceil(Math.max(s + r, 64 << 10) / page)} 4k pages/cpu ${at}s${s} r${r}`;
  } else if (fc.helper === 'embed') {
    main = `${b.prefix}Embedded ${fc.pagesPerCpu} pages/cpu ${at}s${s} r${r} d${d} u${u}`;
  } else {
    main = `${b.prefix}${fc.pagesPerCpu} ${page >> 10}K pages/cpu ${at}s${s} r${r} d${d}`;
  }
  lines.push(main);
  if (c.hasAllocDump) lines.push(...allocDumpLines(fc));
  return { main, lines };
}
