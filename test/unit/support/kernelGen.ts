// Generated kernel-style C for the incremental, fuzz and speed checks: per-CPU definitions,
// structs with reference counts and NR_CPUS arrays, alloc/free in functions, #ifdef blocks, and
// plenty of ordinary code between them, as in a real driver. Deterministic for a given PRNG.

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

function block(i: number, rnd: () => number, density: number): string {
  switch (rnd() < density ? Math.floor(rnd() * 5) : 5) {
    case 0:
      return `struct foo_stats_${i} {\n\tu64 packets;\n\tu64 bytes;\n\tatomic_t refcnt;\n\tunsigned long last[NR_CPUS];\n\tstruct kref kref;\n};\n\n` +
        `static DEFINE_PER_CPU(struct foo_stats_${i}, foo_stats_${i});\n`;
    case 1:
      return `DEFINE_PER_CPU_ALIGNED(unsigned long, hot_counter_${i});\nDECLARE_PER_CPU(int, cold_flag_${i});\n`;
    case 2:
      return `static int foo_init_${i}(struct foo_dev *dev)\n{\n\tdev->stats = alloc_percpu(struct foo_stats_${i});\n` +
        `\tif (!dev->stats)\n\t\treturn -ENOMEM;\n\tdev->buf = __alloc_percpu(sizeof(u64) * ${1 + (i % 7)}, __alignof__(u64));\n` +
        `\treturn 0;\n}\n\nstatic void foo_exit_${i}(struct foo_dev *dev)\n{\n\tfree_percpu(dev->stats);\n\tfree_percpu(dev->buf);\n}\n`;
    case 3:
      return `#ifdef CONFIG_SMP\nstatic DEFINE_PER_CPU(int, smp_only_${i});\n#else\nstatic int up_only_${i};\n#endif\n`;
    case 4:
      return `struct bar_${i} {\n\trefcount_t users;\n\tspinlock_t lock;\n\tstruct list_head list;\n\tint __percpu *pcpu_refcnt;\n};\n`;
    default: {
      // ordinary code, no trigger: most of a real file
      const n = 4 + Math.floor(rnd() * 12);
      let body = `static int helper_${i}(struct foo_dev *dev, int arg)\n{\n\tint ret = 0, k;\n\n`;
      for (let k = 0; k < n; k++) {
        body += pick(rnd, [
          `\tfor (k = 0; k < arg; k++)\n\t\tret += dev->table[k] * ${k + 1};\n`,
          `\tif (unlikely(ret < 0)) {\n\t\tpr_err("helper_${i}: %d\\n", ret);\n\t\tgoto out;\n\t}\n`,
          `\tspin_lock(&dev->lock);\n\tdev->count += arg;\n\tspin_unlock(&dev->lock);\n`,
          `\t/* keep the \"fast path\" short: see the comment above helper_${i} */\n\tret |= BIT(${k % 31});\n`,
          `\tswitch (arg & 3) {\n\tcase 0: ret++; break;\n\tdefault: ret--; break;\n\t}\n`,
        ]);
      }
      return body + `out:\n\treturn ret;\n}\n`;
    }
  }
}

/**
 * About `lines` lines of kernel-style C; `density` is the share of blocks holding per-CPU
 * constructs (real files: ~1 finding per 1000 lines, e.g. kernel/sched/core.c, net/core/dev.c;
 * the default is far denser, to exercise the extractor).
 */
export function kernelStyleFile(lines: number, rnd: () => number, density = 0.6): string {
  let s = '// SPDX-License-Identifier: GPL-2.0\n/*\n * Generated driver for tests.\n */\n#include <linux/percpu.h>\n#include <linux/slab.h>\n\n';
  for (let i = 0; s.split('\n').length < lines; i++) s += block(i, rnd, density) + '\n';
  return s;
}

/** Single-line replacements that keep a file kernel-like (bench and incremental test). */
export function randomLineEdit(text: string, rnd: () => number): { start: number; end: number; text: string } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const line = Math.floor(rnd() * starts.length);
  const start = starts[line];
  const end = line + 1 < starts.length ? starts[line + 1] - 1 : text.length;
  const n = Math.floor(rnd() * 1000);
  const replacement = pick(rnd, [
    `static DEFINE_PER_CPU(long, edited_${n});`,
    `\tatomic_t refcnt_${n};`,
    `\tp = alloc_percpu(struct foo_stats_${n % 5});`,
    `\tint cpus_${n}[NR_CPUS];`,
    `\tret += ${n};`,
    '',
    '}',
    '{',
    '/*',
    '*/',
    '#ifdef CONFIG_FOO',
    '#endif',
    text.slice(start, end).replace(/\d+/, String(n)),
  ]);
  return { start, end, text: replacement };
}
