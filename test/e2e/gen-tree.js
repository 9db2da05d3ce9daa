// Writes a kernel-like tree with hundreds of per-CPU variables and allocation call sites spread over
// subsystems, for the chunk-map editor checks. Deterministic (fixed seed); written into the test's
// temporary folder, never committed. Two configs differ by CONFIG_GEN_EXTRA, which adds 6 KiB of
// static per-CPU data in net/core/gen_extra.c (so the first chunk grows by at least a page per CPU).
'use strict';
const fs = require('fs');
const path = require('path');

const DIRS = [
  'kernel/sched', 'kernel/time', 'kernel/rcu', 'kernel/trace', 'mm', 'net/core', 'net/ipv4', 'net/ipv6',
  'drivers/net/ethernet/intel', 'drivers/gpu/drm', 'drivers/block', 'drivers/md', 'fs', 'fs/ext4', 'block',
  'lib', 'arch/x86/kernel', 'arch/x86/events', 'security/selinux', 'crypto',
];
// (type, bytes) pairs the layout engine sizes without headers
const TYPES = [['int', 4], ['long', 8], ['unsigned long', 8], ['u64', 8], ['struct gen_small', 16], ['struct gen_mid', 64], ['struct gen_big', 512]];

const HEADER = `#include <linux/percpu.h>
struct gen_small { long a; long b; };
struct gen_mid { long v[8]; };
struct gen_big { char buf[512]; };
`;

function generate(root, { files = 80, varsPerFile = 4, allocsPerFile = 2 } = {}) {
  let seed = 12345;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const out = { statics: [], allocs: [] };
  for (let f = 0; f < files; f++) {
    const dir = DIRS[f % DIRS.length];
    const base = `gen_${dir.replace(/\//g, '_')}_${f}`;
    const rel = `${dir}/${base}.c`;
    let src = `// SPDX-License-Identifier: GPL-2.0\n${HEADER}\n`;
    for (let v = 0; v < varsPerFile; v++) {
      const [type, bytes] = TYPES[rnd(TYPES.length)];
      const n = rnd(5) === 0 ? 1 + rnd(16) : 0;
      const name = `${base}_v${v}`;
      src += `DEFINE_PER_CPU(${type}, ${name}${n ? `[${n}]` : ''});\n`;
      out.statics.push({ name, file: rel, size: bytes * (n || 1) });
    }
    src += `\nint ${base}_init(void)\n{\n`;
    for (let a = 0; a < allocsPerFile; a++) {
      const [type] = TYPES[rnd(TYPES.length)];
      src += `\tvoid __percpu *p${a} = alloc_percpu(${type});\n`;
      out.allocs.push({ file: rel, type });
    }
    src += '\treturn 0;\n}\n';
    fs.mkdirSync(path.join(root, dir), { recursive: true });
    fs.writeFileSync(path.join(root, rel), src);
  }
  fs.writeFileSync(path.join(root, 'net/core/gen_extra.c'), `${HEADER}
#ifdef CONFIG_GEN_EXTRA
DEFINE_PER_CPU(struct gen_big, gen_extra_buf[12]);
#endif
DEFINE_PER_CPU(long, gen_extra_always);
`);
  // a hostile file name: it must render as text in the map and the tables
  fs.writeFileSync(path.join(root, '<img src=x onerror=alert(1)>.c'), `${HEADER}DEFINE_PER_CPU(int, xss_counter);\n`);
  fs.mkdirSync(path.join(root, 'configs'), { recursive: true });
  const cfg = (extra) => `CONFIG_X86_64=y\nCONFIG_SMP=y\nCONFIG_NR_CPUS=64\n${extra}`;
  fs.writeFileSync(path.join(root, 'configs/gen-a.config'), cfg(''));
  fs.writeFileSync(path.join(root, 'configs/gen-b.config'), cfg('CONFIG_GEN_EXTRA=y\n'));
  return out;
}

module.exports = { generate };

if (require.main === module) {
  const r = generate(process.argv[2]);
  console.log(`${r.statics.length} variables, ${r.allocs.length} call sites`);
}
