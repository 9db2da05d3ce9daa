// Reading the per-CPU lines of a boot log (dmesg, journalctl, syslog, serial console) in every era's format:
//   2.6.30  "PERCPU: Embedded N pages at ADDR, static data S bytes" / "PERCPU: Allocated N 4k pages, static data S bytes"
//   2.6.31  "PERCPU: Embedded N pages/cpu @ADDR sS rR dD uU" / "PERCPU: N 4k pages/cpu @ADDR sS rR"
//   2.6.32+ "PERCPU: Embedded N pages/cpu @ADDR sS rR dD uU" / "PERCPU: N 4K pages/cpu @ADDR sS rR dD"
//   4.14+   the same with "percpu: "; 4.15–5.0 "@(____ptrval____)" or "@        (ptrval)"; 5.1+ no address
//   the pcpu-alloc dump ("pcpu-alloc: sS rR dD uU alloc=A*B" and "[g] cpu cpu ..." lines) and x86's
//   "[setup_percpu: ]NR_CPUS:N nr_cpumask_bits:N nr_cpu_ids:N nr_node_ids:N".
// Timestamps, syslog/journal prefixes ("Dec 04 12:00:00 host kernel: "), "<6>" levels and printk caller ids
// are skipped: a line is read from the first per-CPU marker on. Other lines give hints (version, arch, CPUs).

export type AddressForm = 'hex' | 'ptrval-padded' | 'ptrval' | 'none';

export interface SrcLine { no: number; text: string }

export interface MainLine extends SrcLine {
  /** 'embed' / 'page' (2.6.31+), 'embed-2.6.30' / 'page-2.6.30', 'lpage' (2.6.31 x86 large pages) */
  kind: 'embed' | 'page' | 'embed-2.6.30' | 'page-2.6.30' | 'lpage';
  prefix: string;
  address: AddressForm;
  /** the address text as printed (hex digits, or the ptrval text) */
  addressText?: string;
  pages?: number;
  /** "N 4K pages/cpu": the page size the line names, in KiB */
  pageKb?: number;
  s: number; r?: number; d?: number; u?: number;
}

export interface DumpAlloc { group: number; units: Array<number | null> }

export interface Dump {
  header?: SrcLine & { s: number; r: number; d: number; u: number; allocUnits: number; atom: number };
  allocs: DumpAlloc[];
  lines: SrcLine[];
}

export interface X86Line extends SrcLine { prefixed: boolean; nrCpus: number; cpumaskBits: number; nrCpuIds: number; nrNodeIds: number }

export interface Hints {
  version?: string;
  versionLine?: number;
  /** arch names (ArchName) and the line that suggested each */
  arches: Array<{ arch: string; why: string }>;
  possibleCpus?: { n: number; why: string };
  nrCpuIds?: { n: number; why: string };
  nrCpus?: { n: number; why: string };
  nodes?: { n: number; why: string };
  onlineCpus?: { n: number; why: string };
  /** arch families (srcArch) a line rules out */
  notSrcArch: string[];
}

export interface Boot {
  main?: MainLine;
  x86?: X86Line;
  dump: Dump;
  hints: Hints;
  /** allocator messages worth reporting (allocation failures, module percpu failures, fallbacks) */
  events: SrcLine[];
  /** every per-CPU line of this boot, in order */
  lines: SrcLine[];
}

const MARKER = /(setup_percpu: |(?<![\w:])NR_CPUS:\d|PERCPU: |percpu: |pcpu-alloc: |\bEmbedded \d+ pages)/;
const N = '(\\d+)';
const ADDR = '@(\\s*\\(ptrval\\)|\\(_*ptrval_*\\)|[0-9a-fA-Fx]+) ';

const RE = {
  embed: new RegExp(`^(PERCPU: |percpu: )?Embedded ${N} pages/cpu (?:${ADDR})?s${N} r${N} d${N} u${N}`),
  page: new RegExp(`^(PERCPU: |percpu: )${N} ${N}[Kk] pages/cpu (?:${ADDR})?s${N} r${N}(?: d${N})?`),
  lpage: new RegExp(`^(PERCPU: |percpu: )large pages ${ADDR}s${N} r${N} d${N} u${N}`),
  embed30: new RegExp(`^(PERCPU: )Embedded ${N} pages at ([0-9a-fA-Fx]+), static data ${N} bytes`),
  page30: new RegExp(`^(PERCPU: )Allocated ${N} 4k pages, static data ${N} bytes`),
  x86: new RegExp(`^(setup_percpu: )?NR_CPUS:${N} nr_cpumask_bits:${N} nr_cpu_ids:${N} nr_node_ids:${N}`),
  dumpHeader: new RegExp(`^pcpu-alloc: s${N} r${N} d${N} u${N} alloc=${N}\\*${N}`),
  dumpUnits: /^pcpu-alloc: ((?:\[\d+\](?:\s+(?:\d+|-+))+\s*)+)$/,
  event: /^(percpu: |PERCPU: |setup_percpu: )(allocation failed|limit reached|max_distance|.*allocator failed|.*falling back)|Could not allocate \d+ bytes percpu data|per-cpu alignment \d+ > \d+/,
};

function addressForm(a: string | undefined): { address: AddressForm; addressText?: string } {
  if (a === undefined) return { address: 'none' };
  if (/^\s+\(ptrval\)$/.test(a)) return { address: 'ptrval-padded', addressText: a };
  if (/ptrval/.test(a)) return { address: 'ptrval', addressText: a };
  return { address: 'hex', addressText: a.replace(/^0x/, '') };
}

/** The per-CPU part of a log line, or undefined: everything before the first marker is a prefix. */
export function percpuPart(line: string): string | undefined {
  const m = MARKER.exec(line);
  if (!m) return undefined;
  return line.slice(m.index).replace(/\s+$/, '');
}

// Hints: the arch a line names. Ordered from the most to the least specific.
const ARCH_HINTS: Array<[RegExp, string]> = [
  [/\b(x86_64|amd64)\b/, 'x86_64'], [/\bi[3-6]86\b/, 'i386'], [/\b(aarch64|arm64)\b/, 'arm64'],
  [/\b(ppc64le|ppc64|powerpc64(le)?)\b|\bPOWER[789]\b|pSeries|PowerNV|radix-mmu|hash-mmu/, 'ppc64'],
  [/\bPowerMac\b|\bpowerpc\b|\bMPC\d{2,4}|\bPPC\b|\bFreescale P\d{4}/, 'ppc32'],
  [/\briscv64\b|\brv64i/, 'riscv64'], [/\briscv32\b|\brv32i/, 'riscv32'], [/\bs390x?\b|z\/VM|Linux is running (?:under KVM|natively|as a guest) in 64-bit mode|\bsclp\b/, 's390x'],
  [/\bmips64(el)?\b|\bLoongson-?3|\bOcteon|\bCavium\b|REPLICATION: ON nasid/i, 'mips64'],
  [/\bmips(el)?\b|CPU0 revision is|Primary (instruction|data) cache \d+kB/i, 'mips'],
  [/\bsparc64\b|\bUltraSPARC|\bsun4[uv]\b|PROMLIB: Sun/i, 'sparc64'], [/\bsparc(32)?\b|\bLEON\b/i, 'sparc32'],
  [/\bia64\b|\bItanium\b|\bIA-64\b|\bSAL \d\.\d+: /, 'ia64'], [/\bLoongArch\b|\bloongarch(64)?\b|\bLoongson-?3[A-Z]?5000/i, 'loongarch64'],
  [/\balpha\b|\bEV[4-7]\d?\b|\bSRM console/, 'alpha'], [/\bparisc64\b|\bhppa64\b/, 'parisc64'], [/\bparisc\b|\bPA-RISC\b|\bhppa\b/, 'parisc'],
  [/\bSuperH\b|\bsh4\b/, 'sh'], [/\bARCv2\b|\bARC700\b|\bARC HS\b/, 'arc'], [/\bC-SKY\b|\bcsky\b/, 'csky'],
  [/\bOpenRISC\b|\bor1k\b/, 'openrisc'], [/\bXtensa\b|\bxtensa\b/, 'xtensa'], [/\bHexagon\b/, 'hexagon'],
  [/\bCPU: ARMv[4-7]|\barmv[4-7]\w*\b|\barmhf\b|Memory policy: |\bARM\s+(?:Cortex|Ltd)|\bL310 cache|\bl2x0: |^\s*vector\s+: 0xffff0000/, 'arm'],
  [/CPU features: |\bpsci: |\bGICv3\b|Booting Linux on physical CPU 0x0{6,}/, 'arm64'],
  [/\bBIOS-e820\b|\be820: |\bsmpboot: |x86\/fpu|\bx86\//, 'x86'],
  [/\bRISC-V\b|\bSBI specification|\bSBI v\d|\belf_hwcap is 0x|Booting Linux on hartid/, 'riscv'],
];

function scanHints(text: string, no: number, h: Hints): void {
  const v = /\bLinux version (\d+\.\d+(?:\.\d+)?[^\s]*)/.exec(text) ?? /\bBOOT_IMAGE=\S*vmlinuz-(\d+\.\d+[^\s]*)/.exec(text);
  if (v && (!h.version || /Linux version/.test(text))) { h.version = v[1]; h.versionLine = no; }
  for (const [re, arch] of ARCH_HINTS) {
    if (re.test(text)) { h.arches.push({ arch, why: `line ${no}: ${text.trim().slice(0, 100)}` }); break; }
  }
  const why = `line ${no}`;
  let m: RegExpExecArray | null;
  if ((m = /smpboot: Allowing (\d+) CPUs/.exec(text))) h.possibleCpus = { n: Number(m[1]), why: `${why}: smpboot: Allowing ${m[1]} CPUs` };
  if ((m = /NR_CPUS[=:](\d+) to nr_cpu_ids[=:](\d+)/.exec(text))) {
    h.nrCpus ??= { n: Number(m[1]), why };
    h.nrCpuIds ??= { n: Number(m[2]), why: `${why}: RCU restricting CPUs` };
  }
  if ((m = /rcu_fanout_leaf=\d+, nr_cpu_ids=(\d+)/.exec(text))) h.nrCpuIds ??= { n: Number(m[1]), why: `${why}: RCU geometry` };
  if ((m = /SLUB: .*CPUs=(\d+), Nodes=(\d+)/.exec(text))) {
    h.nrCpuIds ??= { n: Number(m[1]), why: `${why}: SLUB CPUs=` };
    h.nodes ??= { n: Number(m[2]), why: `${why}: SLUB Nodes=` };
  }
  if ((m = /(?:smp: )?Brought up (?:(\d+) nodes?, )?(\d+) CPUs?/.exec(text))) h.onlineCpus = { n: Number(m[2]), why: `${why}: Brought up ${m[2]} CPUs` };
  if ((m = /SMP: Total of (\d+) processors activated/.exec(text))) h.onlineCpus = { n: Number(m[1]), why: `${why}: SMP: Total of ${m[1]} processors` };
}

function emptyBoot(): Boot {
  return { dump: { allocs: [], lines: [] }, hints: { arches: [], notSrcArch: [] }, events: [], lines: [] };
}

/** Split a log into boots (a new "Linux version" line, or a second set of first-chunk lines, starts one). */
export function parseDmesg(text: string): Boot[] {
  const boots: Boot[] = [];
  let cur = emptyBoot();
  const hasPercpu = (b: Boot) => b.lines.length > 0;
  const flush = () => { if (hasPercpu(cur)) boots.push(cur); };
  const raw = text.split(/\r?\n/);
  raw.forEach((line, i) => {
    const no = i + 1;
    if (/\bLinux version \d/.test(line) && (hasPercpu(cur) || cur.hints.version)) {
      flush();
      cur = emptyBoot();
    }
    const part = percpuPart(line);
    if (part === undefined) {
      if (RE.event.test(line)) cur.events.push({ no, text: line.trim() });
      else scanHints(line, no, cur.hints);
      return;
    }
    let m: RegExpExecArray | null;
    const src = { no, text: part };
    const startNew = (what: 'main' | 'x86' | 'dump') => {
      const seen = what === 'main' ? cur.main : what === 'x86' ? cur.x86 : cur.dump.header;
      // the x86 line comes first, then the main line, then the dump: a repeat of an earlier kind is a new boot
      const later = what === 'x86' ? cur.main || cur.dump.header : what === 'main' ? cur.dump.header : undefined;
      if (seen || later) {
        flush();
        const hints = cur.hints;
        cur = emptyBoot();
        cur.hints = { ...hints, arches: hints.arches.slice(), notSrcArch: hints.notSrcArch.slice() };
      }
    };
    if ((m = RE.x86.exec(part))) {
      startNew('x86');
      cur.x86 = { ...src, prefixed: !!m[1], nrCpus: +m[2], cpumaskBits: +m[3], nrCpuIds: +m[4], nrNodeIds: +m[5] };
    } else if ((m = RE.embed.exec(part))) {
      startNew('main');
      cur.main = { ...src, kind: 'embed', prefix: m[1] ?? '', ...addressForm(m[3]), pages: +m[2], s: +m[4], r: +m[5], d: +m[6], u: +m[7] };
    } else if ((m = RE.page.exec(part))) {
      startNew('main');
      cur.main = { ...src, kind: 'page', prefix: m[1], ...addressForm(m[4]), pages: +m[2], pageKb: +m[3], s: +m[5], r: +m[6], ...(m[7] === undefined ? {} : { d: +m[7] }) };
    } else if ((m = RE.lpage.exec(part))) {
      startNew('main');
      cur.main = { ...src, kind: 'lpage', prefix: m[1], ...addressForm(m[2]), s: +m[3], r: +m[4], d: +m[5], u: +m[6] };
    } else if ((m = RE.embed30.exec(part))) {
      startNew('main');
      cur.main = { ...src, kind: 'embed-2.6.30', prefix: m[1], address: 'hex', addressText: m[3].replace(/^0x/, ''), pages: +m[2], s: +m[4] };
    } else if ((m = RE.page30.exec(part))) {
      startNew('main');
      cur.main = { ...src, kind: 'page-2.6.30', prefix: m[1], address: 'none', pages: +m[2], s: +m[3] };
    } else if ((m = RE.dumpHeader.exec(part))) {
      startNew('dump');
      cur.dump.header = { ...src, s: +m[1], r: +m[2], d: +m[3], u: +m[4], allocUnits: +m[5], atom: +m[6] };
      cur.dump.lines.push(src);
    } else if ((m = RE.dumpUnits.exec(part))) {
      for (const a of m[1].matchAll(/\[(\d+)\]((?:\s+(?:\d+|-+))+)/g)) {
        const units = a[2].trim().split(/\s+/).map((t) => (/^-+$/.test(t) ? null : Number(t)));
        cur.dump.allocs.push({ group: Number(a[1]), units });
      }
      cur.dump.lines.push(src);
    } else if (RE.event.test(part)) {
      cur.events.push(src);
      // x86 prints its fallback with "setup_percpu: "; sparc64, powerpc and arch_numa.c with "PERCPU: "
      if (/^PERCPU: \w+ allocator failed/.test(part)) cur.hints.notSrcArch.push('x86');
      return;
    } else {
      scanHints(line, no, cur.hints);
      return;
    }
    cur.lines.push(src);
  });
  flush();
  return boots;
}
