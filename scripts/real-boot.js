#!/usr/bin/env node
// Boots a Debian 6.12 kernel fetched by scripts/real-kernels.js (/work/dl/real/FLAVOUR/vmlinuz) in
// QEMU (TCG) with a busybox-static initramfs whose /init prints /proc/meminfo and the percpu
// trace, and writes the percpu part of the console log: the allocator's boot lines, meminfo and
// the percpu:* trace events. Run by hand, never by npm test.
// Usage: node scripts/real-boot.js FLAVOUR [--cpus N] [--out FILE] [--dl DIR] [--timeout S] [--with-trace]
// (the trace's events are left out unless --with-trace: a boot holds ~500 of them)
// Needs: qemu-system-x86 / qemu-system-arm / qemu-system-ppc, cpio, and busybox-static of the
// guest's arch (fetched with apt-get download busybox-static:ARCH when not the host's).
'use strict';
const { execSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { argv } = require('./lib/argv');

// QEMU machines that boot these kernels on this host (TOOLCHAIN.md)
const MACHINES = {
  amd64: { deb: 'amd64', qemu: 'qemu-system-x86_64', args: ['-M', 'pc'], console: 'ttyS0' },
  arm64: { deb: 'arm64', qemu: 'qemu-system-aarch64', args: ['-M', 'virt', '-cpu', 'max'], console: 'ttyAMA0' },
  ppc64el: { deb: 'ppc64el', qemu: 'qemu-system-ppc64', args: ['-M', 'pseries', '-cpu', 'POWER9'], console: 'hvc0', mem: 2048 },
  armhf: { deb: 'armhf', qemu: 'qemu-system-arm', args: ['-M', 'virt,highmem=off', '-cpu', 'cortex-a15'], console: 'ttyAMA0' },
};
const DEB_ARCH = (f) => (/amd64$/.test(f) ? 'amd64' : /^arm64/.test(f) ? 'arm64' : /^powerpc64le/.test(f) ? 'ppc64el' : /^armmp/.test(f) ? 'armhf' : undefined);

const { values: v, positionals: args } = argv({
  allowPositionals: true,
  options: {
    cpus: { type: 'string', default: '4' }, dl: { type: 'string', default: '/work/dl' }, timeout: { type: 'string', default: '240' },
    'with-trace': { type: 'boolean' }, out: { type: 'string' },
  },
});
const cpus = Number(v.cpus);
const dl = path.resolve(v.dl);
const timeout = Number(v.timeout);
const withTrace = v['with-trace'] === true;
const flavour = args[0];
const out = v.out;
if (!flavour || !DEB_ARCH(flavour)) {
  console.error('usage: real-boot.js FLAVOUR [--cpus N] [--out FILE]; FLAVOUR as in real-kernels.js');
  process.exit(2);
}
const m = MACHINES[DEB_ARCH(flavour)];
const sh = (cmd, o = {}) => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...o });

function busybox(deb) {
  const hostDeb = sh('dpkg --print-architecture').trim();
  if (deb === hostDeb && fs.existsSync('/bin/busybox')) return '/bin/busybox';
  const dir = path.join(dl, 'real', `busybox-${deb}`);
  const bin = path.join(dir, 'bin', 'busybox');
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(dir, { recursive: true });
  sh(`apt-get download busybox-static:${deb} 2>&1`, { cwd: dir });
  const debFile = fs.readdirSync(dir).find((f) => f.endsWith('.deb'));
  sh(`dpkg --fsys-tarfile '${path.join(dir, debFile)}' | tar -x -C '${dir}' ./bin/busybox`);
  return bin;
}

function initramfs(bb) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-boot-'));
  fs.mkdirSync(path.join(root, 'bin'));
  fs.copyFileSync(bb, path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  fs.writeFileSync(path.join(root, 'init'), [
    '#!/bin/busybox sh',
    'B=/bin/busybox',
    '$B mkdir -p /proc /sys /dev',
    '$B mount -t proc proc /proc',
    '$B mount -t sysfs sysfs /sys',
    '$B mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null',
    'echo ===MEMINFO',
    '$B cat /proc/meminfo',
    'echo ===TRACE',
    '$B cat /sys/kernel/tracing/trace',
    'echo ===END',
    '$B poweroff -f',
    '',
  ].join('\n'), { mode: 0o755 });
  const img = path.join(root, '..', `${path.basename(root)}.cpio.gz`);
  sh(`cd '${root}' && find . | cpio -o -H newc 2>/dev/null | gzip > '${img}'`);
  fs.rmSync(root, { recursive: true, force: true });
  return img;
}

/** the percpu part of a console log: allocator lines, meminfo, percpu trace events */
function trim(log) {
  const lines = log.replace(/\r/g, '').split('\n');
  const keep = [];
  let part = '';
  for (const l of lines) {
    if (/^===(MEMINFO|TRACE|END)/.test(l)) { part = l; keep.push(l); continue; }
    if (part === '===MEMINFO') keep.push(l);
    else if (part === '===TRACE') { if (withTrace && /percpu_(alloc|free|create|destroy)/.test(l)) keep.push(l); }
    else if (/percpu|pcpu-alloc|Linux version|smpboot: Allowing|nr_cpu_ids/.test(l)) {
      // firmware output may precede the first kernel line on the same console line
      keep.push(l.slice(Math.max(0, l.indexOf('Linux version') >= 0 ? l.indexOf('Linux version') : 0)).replace(/^\[\s*[\d.]+\]\s*/, ''));
    }
  }
  return keep.join('\n') + '\n';
}

function main() {
  const vmlinuz = path.join(dl, 'real', flavour, 'vmlinuz');
  if (!fs.existsSync(vmlinuz)) throw new Error(`${vmlinuz} missing: run npm run realkernels -- ${flavour} --fetch-only first`);
  const img = initramfs(busybox(m.deb));
  try {
    const a = [...m.args, '-m', String(m.mem ?? 1024), '-smp', String(cpus), '-nographic', '-no-reboot',
      ...(cpus > 8 ? ['-accel', 'tcg,thread=single'] : []),
      '-kernel', vmlinuz, '-initrd', img,
      '-append', `console=${m.console} trace_event=percpu:* no_hash_pointers ignore_loglevel panic=-1`];
    const r = spawnSync(m.qemu, a, { encoding: 'utf8', timeout: timeout * 1000, maxBuffer: 1 << 28 });
    const log = `${r.stdout ?? ''}`;
    if (!/===END/.test(log)) process.stderr.write(`real-boot: no ===END in the console log (${r.error?.message ?? `exit ${r.status}`})\n`);
    const t = trim(log);
    if (out) fs.writeFileSync(out, t);
    else process.stdout.write(t);
  } finally {
    fs.rmSync(img, { force: true });
  }
}

main();
