// Byte counts as kernel people read them: exact below 1 KiB, binary units above.

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const s = u === 0 ? String(v) : v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '');
  return `${n < 0 ? '-' : ''}${s} ${units[u]}`;
}

/** `64 B/cpu × 512 = 32 KiB` */
export function perCpuTimes(bytesPerCpu: number, cpus: number): string {
  return `${formatBytes(bytesPerCpu)}/cpu × ${cpus} = ${formatBytes(bytesPerCpu * cpus)}`;
}
