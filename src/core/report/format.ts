// Human-readable sizes and the per-CPU cost line shared by inlay hints, hovers, the log and the CLI.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 512 → "512 B", 32768 → "32 KiB", 1536 → "1.5 KiB"; binary units as the kernel prints them. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '? B';
  let u = 0;
  let v = n;
  while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
  if (u === 0) return `${n} B`;
  // one decimal, and never strip zeros of the integer part (600 KiB stays 600)
  const s = v >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, '');
  return `${s} ${UNITS[u]}`;
}

/** "64 B/cpu × 512 = 32 KiB"; with a count: "64 B/cpu × 512 × 2000 = 62.5 MiB". */
export function formatPerCpu(bytesPerCpu: number, cpus: number, count = 1): string {
  const total = bytesPerCpu * cpus * count;
  const times = count > 1 ? ` × ${count}` : '';
  return `${formatBytes(bytesPerCpu)}/cpu × ${cpus}${times} = ${formatBytes(total)}`;
}

/** "NR_CPUS × 64 B = 32 KiB": arrays cost their full size whatever CPUs exist. */
export function formatNrCpusArray(elementBytes: number, nrCpus: number): string {
  return `${nrCpus} × ${formatBytes(elementBytes)} = ${formatBytes(elementBytes * nrCpus)} (NR_CPUS)`;
}
