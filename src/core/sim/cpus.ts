// CPU lists as the kernel writes them ("0-3,8-11"), and NUMA groups ("0-3;4-7").

/** Parse a kernel cpulist ("0-3,8,10-11"); throws on malformed input. */
export function parseCpulist(s: string, maxCpus = 8192): number[] {
  const out = new Set<number>();
  const t = s.trim();
  if (t === '') throw new Error('empty CPU list');
  for (const part of t.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`malformed CPU list "${s}" (expected e.g. 0-3,8-11)`);
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`descending CPU range "${part.trim()}" in "${s}"`);
    if (b >= maxCpus) throw new Error(`CPU ${b} out of range (at most ${maxCpus} CPUs)`);
    for (let c = a; c <= b; c++) {
      if (out.has(c)) throw new Error(`CPU ${c} listed twice in "${s}"`);
      out.add(c);
    }
  }
  return [...out].sort((x, y) => x - y);
}

/** Parse NUMA groups: cpulists separated by ';'. A CPU may appear in one group only. */
export function parseGroups(s: string, maxCpus = 8192): number[][] {
  const groups = s.split(';').map((g) => parseCpulist(g, maxCpus));
  const seen = new Set<number>();
  for (const g of groups) for (const c of g) {
    if (seen.has(c)) throw new Error(`CPU ${c} is in more than one group`);
    seen.add(c);
  }
  return groups;
}

/** Format CPUs as a kernel cpulist. */
export function formatCpulist(cpus: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j] + 1) j++;
    parts.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
