// The edits scripts/diff-check.js and the diff bench (scripts/bench/diff.js) make to linux 6.12 to
// write their patches (a few lines each: no kernel files are stored), and the patch maker.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

// [file, text to find, replacement]
const PATCHES = {
  'type-change': [['kernel/softirq.c', 'struct tasklet_head {\n\tstruct tasklet_struct *head;\n\tstruct tasklet_struct **tail;\n};',
    'struct tasklet_head {\n\tstruct tasklet_struct *head;\n\tstruct tasklet_struct **tail;\n\tunsigned long nr_queued;\n};']],
  'nr-cpus-array': [['kernel/fork.c', 'DEFINE_PER_CPU(unsigned long, process_counts) = 0;',
    'DEFINE_PER_CPU(unsigned long, process_counts) = 0;\nstatic unsigned long fork_last_jiffies[NR_CPUS];']],
  'alloc-percpu': [['fs/namespace.c', '\t\tmnt->mnt_pcp = alloc_percpu(struct mnt_pcp);',
    '\t\tmnt->mnt_pcp = alloc_percpu(struct mnt_pcp);\n\t\tmnt->mnt_stats = alloc_percpu(struct mnt_pcp);']],
  'shared-aligned': [['kernel/fork.c', 'DEFINE_PER_CPU(unsigned long, process_counts) = 0;',
    'DEFINE_PER_CPU_SHARED_ALIGNED(unsigned long, process_counts) = 0;']],
  'header-type': [['include/linux/irq_work_types.h', '\tstruct rcuwait\t\t\tirqwait;\n};', '\tstruct rcuwait\t\t\tirqwait;\n\tunsigned long\t\t\tqueued_at;\n};']],
};
// five files at once: the speed case of issue 18
PATCHES['five-files'] = [...PATCHES['type-change'], ...PATCHES['nr-cpus-array'].map(([f, a, b]) => [f, a, b.replace('DEFINE_PER_CPU(', 'DEFINE_PER_CPU_SHARED_ALIGNED(')]),
  ...PATCHES['alloc-percpu'], ...PATCHES['header-type'],
  ['kernel/smp.c', 'static DEFINE_PER_CPU(void *, cur_csd_info);', 'static DEFINE_PER_CPU(void *, cur_csd_info);\nstatic DEFINE_PER_CPU(unsigned long, cur_csd_stamp[4]);']];


/**
 * Writes `name`.patch into `work` from `edits` against `tree`: [patch file, touched files, folder
 * holding each touched file's new text at its tree path].
 */
function makePatch(tree, work, name, edits) {
  const a = path.join(work, `${name}.a`);
  const b = path.join(work, `${name}.b`);
  let out = '';
  for (const [file, find, repl] of edits) {
    const text = fs.readFileSync(path.join(tree, file), 'utf8');
    if (!text.includes(find)) throw new Error(`${name}: ${file} does not contain the text to replace`);
    for (const d of [a, b]) fs.mkdirSync(path.dirname(path.join(d, file)), { recursive: true });
    const before = fs.existsSync(path.join(b, file)) ? fs.readFileSync(path.join(b, file), 'utf8') : text;
    fs.writeFileSync(path.join(a, file), text);
    fs.writeFileSync(path.join(b, file), before.replace(find, repl));
  }
  for (const file of new Set(edits.map((e) => e[0]))) {
    try {
      execFileSync('diff', ['-u', '--label', `a/${file}`, '--label', `b/${file}`, path.join(a, file), path.join(b, file)]);
    } catch (e) {
      out += e.stdout.toString(); // diff exits 1 when the files differ
    }
  }
  const p = path.join(work, `${name}.patch`);
  fs.writeFileSync(p, out);
  return { patch: p, files: [...new Set(edits.map((e) => e[0]))], newTexts: b };
}

module.exports = { PATCHES, makePatch };
