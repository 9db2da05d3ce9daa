import * as assert from 'assert';
import * as path from 'path';
import * as fs from 'fs';
import { readKbuild, MakeInterp, localIncludeDirectives } from '../../src/core/config/kbuild';

const sample = path.join(__dirname, '..', '..', '..', 'samples', 'kernel');

function lookupFrom(text: string) {
  const m = new Map<string, string>();
  for (const l of text.split('\n')) {
    const x = /^(CONFIG_\w+)=(.*)$/.exec(l);
    if (x) m.set(x[1], x[2]);
  }
  return (s: string) => m.get(s);
}

describe('kbuild reader', () => {
  it('lists the sample tree objects in link order with module names, skipping unset configs', () => {
    const cfg = lookupFrom(fs.readFileSync(path.join(sample, '.config'), 'utf8'));
    const r = readKbuild(sample, cfg, { arch: 'x86_64' });
    const builtin = r.objects.filter((o) => o.status === 'builtin').map((o) => o.file);
    assert.deepStrictEqual(builtin, [
      'arch/x86/kernel/setup_percpu.c', 'kernel/sched.c', 'kernel/softirq.c', 'kernel/stats.c', 'mm/vmstat.c', 'net/core/dev.c',
    ]);
    const mods = r.objects.filter((o) => o.status === 'module').map((o) => `${o.module}:${o.file}`);
    assert.deepStrictEqual(mods, ['sample_drv:drivers/net/sample_drv.c', 'bigstats:drivers/net/bigstats_main.c', 'bigstats:drivers/net/bigstats_hist.c']);
    assert.strictEqual(r.byFile.get('kernel/debug.c'), undefined);
    assert.deepStrictEqual(r.warnings, []);
  });

  it('evaluates make conditionals, substitution refs and functions the way make does', () => {
    const cfg = (s: string) => ({ CONFIG_A: 'y', CONFIG_B: 'm', CONFIG_N: 'n' } as Record<string, string>)[s];
    const m = new MakeInterp(cfg);
    m.run([
      'obj-$(CONFIG_A) += a.o',
      'obj-$(CONFIG_B) += b.o',
      'obj-$(CONFIG_N) += n.o',
      'ifeq ($(CONFIG_A),y)',
      'obj-y += c.o \\',
      '\td.o',
      'else ifdef CONFIG_B',
      'obj-y += never.o',
      'endif',
      'ifndef CONFIG_N',
      'obj-y += $(patsubst %.c,%.o,e.c f.c)',
      'endif',
      'x := $(obj-y:.o=.c)',
      'obj-y += $(addprefix sub/,g.o) $(if $(CONFIG_Q),q.o,noq.o)',
      'obj-y += $(filter-out d.o,d.o h.o)',
    ].join('\n'), 'Makefile');
    assert.strictEqual(m.get('obj-y'), 'a.o c.o d.o e.o f.o sub/g.o noq.o h.o');
    assert.strictEqual(m.get('obj-m'), 'b.o');
    assert.strictEqual(m.get('x'), 'a.c c.c d.c e.c f.c');
    assert.strictEqual(m.get('obj-'), 'n.o'); // =n is "not set": never reaches obj-y/obj-m
  });

  it('reads the conditional and local #include lines of a file, with their 1-based lines', () => {
    // kernel/sched/build_policy.c's shape; blanks before '#' (a no-break space too), CRLF, a '#' inside a line
    const text = [
      '// SPDX-License-Identifier: GPL-2.0-only', // 1
      '#include <linux/sched.h>', // 2: angled, not local
      '#include "sched.h"', // 3
      '  #ifdef CONFIG_SCHED_CLASS_EXT', // 4
      '\u00a0# include "ext.c"\r', // 5
      'int x = 1; # not a directive', // 6
      '\t#else', // 7
      '#endif /* CONFIG_SCHED_CLASS_EXT */', // 8
      '#define X "y.c"', // 9: not kept
    ].join('\n');
    assert.deepStrictEqual(localIncludeDirectives(text), [
      [3, '#include "sched.h"'], [4, '#ifdef CONFIG_SCHED_CLASS_EXT'], [5, '# include "ext.c"'], [7, '#else'], [8, '#endif /* CONFIG_SCHED_CLASS_EXT */'],
    ]);
    assert.strictEqual(localIncludeDirectives('#include <linux/a.h>\n#if X\n#endif\n'), undefined);
  });

  it('takes a folder\'s Kbuild before its Makefile, and only sources and local .c includes that exist', () => {
    // make reads Kbuild when a folder has both; an object without its .c (a .S, or nothing) has no C
    // source; a broken symlink is no file (make's wildcard and gcc agree), a symlink to a file is one
    const root = fs.mkdtempSync(path.join(require('os').tmpdir(), 'pl-kbuild-'));
    const put = (rel: string, text: string) => { fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }); fs.writeFileSync(path.join(root, rel), text); };
    try {
      put('Makefile', 'obj-y += a/ b/ c/\n');
      put('a/Kbuild', 'obj-y += k.o\n');
      put('a/Makefile', 'obj-y += m.o\n');
      put('a/k.c', '');
      put('a/m.c', '');
      put('b/Makefile', 'obj-y += x.o y.o z.o w.o\n');
      put('b/x.c', '#include "inc.c"\n#include "gone.c"\n#include "sub/deep.c"\n');
      put('b/inc.c', '');
      put('b/sub/deep.c', '');
      put('b/y.S', '');
      fs.symlinkSync('nowhere.c', path.join(root, 'b', 'z.c'));
      put('real/w.c', '');
      fs.symlinkSync(path.join('..', 'real', 'w.c'), path.join(root, 'b', 'w.c'));
      fs.mkdirSync(path.join(root, 'c'));
      const read: number[] = [];
      const r = readKbuild(root, () => undefined, { arch: 'x86_64', onFolder: (n) => read.push(n) });
      assert.deepStrictEqual(r.objects.map((o) => o.file), ['a/k.c', 'b/x.c', 'b/inc.c', 'b/sub/deep.c', 'b/w.c']);
      assert.strictEqual(r.byFile.get('b/inc.c')?.via, '#include from b/x.c:1');
      assert.deepStrictEqual(r.warnings, ['c/: no Kbuild or Makefile']);
      // progress after each folder whose Kbuild file was read: the root, a/ and b/ (c/ has none)
      assert.deepStrictEqual(read, [1, 2, 3]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  it('tells each -I dir of includeDirs once, in their order, as the walk meets them', () => {
    const root = fs.mkdtempSync(path.join(require('os').tmpdir(), 'pl-kbuild-'));
    try {
      const put = (rel: string, text: string) => { fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }); fs.writeFileSync(path.join(root, rel), text); };
      put('Kbuild', 'obj-y += a/ b/\n');
      put('arch/x86/Makefile', '');
      // a's dir twice, an absolute dir and one above the tree (neither is the tree's), then b's
      put('a/Makefile', 'ccflags-y := -I$(srctree)/a/inc -I/usr/include -I../up\nsubdir-ccflags-y := -I$(src)/inc\nobj-y += k.o\n');
      put('a/k.c', '');
      put('b/Makefile', 'ccflags-y += -I$(srctree)/b/inc -I$(srctree)/a/inc\nobj-y += x.o\n');
      put('b/x.c', '');
      const told: string[] = [];
      const r = readKbuild(root, () => undefined, { arch: 'x86_64', onIncludeDir: (d) => told.push(d) });
      assert.deepStrictEqual(r.includeDirs, ['a/inc', 'b/inc']);
      assert.deepStrictEqual(told, r.includeDirs);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  it('says when the root has no Kbuild, naming a folder under it that looks like the kernel tree', () => {
    const root = fs.mkdtempSync(path.join(require('os').tmpdir(), 'pl-kbuild-'));
    try {
      const put = (rel: string, text: string) => { fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }); fs.writeFileSync(path.join(root, rel), text); };
      put('notes/Makefile', 'all:\n'); // a Makefile alone is not a kernel tree
      const bare = readKbuild(root, () => undefined, { arch: 'x86_64' });
      assert.deepStrictEqual(bare.objects, []);
      assert.deepStrictEqual(bare.warnings, ['no Kbuild or Makefile at the root: every file counts as built, whatever the .config says']);
      // an unpacked linux-source package: the tree is one folder down
      put('linux-source-6.12/Makefile', 'VERSION = 6\n');
      put('linux-source-6.12/Kbuild', 'obj-y += kernel/\n');
      put('linux-source-6.12/arch/x86/Makefile', '');
      const r = readKbuild(root, () => undefined, { arch: 'x86_64' });
      assert.deepStrictEqual(r.warnings, ['no Kbuild or Makefile at the root: every file counts as built, whatever the .config says; linux-source-6.12/ looks like the kernel tree: pass it as the root']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
