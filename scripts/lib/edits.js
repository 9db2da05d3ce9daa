// Edits of a linux 6.12 tree made in place for scripts/edit-check.js and the bench's "after an edit"
// row: each `apply(tree)` edits and returns a function that puts the original bytes back. A few
// lines each; built under the defconfig and Debian's amd64 config alike.
'use strict';
const fs = require('fs');
const path = require('path');

/** Replaces `from` (which must occur) by `to` in `file`; the undo writes the original back. */
function replace(file, from, to) {
  return (tree) => {
    const p = path.join(tree, file);
    const was = fs.readFileSync(p);
    const t = was.toString('latin1');
    if (!t.includes(from)) throw new Error(`${file}: "${from}" not found`);
    fs.writeFileSync(p, Buffer.from(t.replace(from, to), 'latin1'));
    return () => fs.writeFileSync(p, was);
  };
}

const EDITS = {
  // a per-CPU variable's type changed in a .c file
  'percpu-type': replace('kernel/softirq.c', 'DEFINE_PER_CPU(int, hardirq_context);', 'DEFINE_PER_CPU(long, hardirq_context);'),
  // a struct used by a per-CPU variable (runqueues, kernel/sched/core.c) grown in its header
  'header-struct': replace('kernel/sched/sched.h', 'struct rq {\n\t/* runqueue lock: */', 'struct rq {\n\tunsigned long\t\tedit_check_pad[8];\n\t/* runqueue lock: */'),
  // a struct in a widely included header grown (u64_stats_sync, in most drivers' per-CPU stats): many built files redone
  'wide-header': replace('include/linux/u64_stats_sync.h', 'struct u64_stats_sync {\n#if BITS_PER_LONG == 32', 'struct u64_stats_sync {\n\tlong edit_check_pad;\n#if BITS_PER_LONG == 32'),
  // a member added to a struct of a header that per-CPU variables use (DEFINE_PER_CPU(struct llist_head, ...)
  // and many structs embedding it): the header's shape is the saved one, so the work that read it is redone
  'percpu-struct-header': replace('include/linux/llist.h', 'struct llist_head {\n\tstruct llist_node *first;\n};', 'struct llist_head {\n\tstruct llist_node *first;\n\tlong edit_check_pad;\n};'),
  // an inline function's body edited in the widely included header: another shape, followed through the include graph
  'header-inline-body': replace('include/linux/u64_stats_sync.h', 'static inline u64 u64_stats_read(const u64_stats_t *p)\n{\n\treturn local64_read(&p->v);', 'static inline u64 u64_stats_read(const u64_stats_t *p)\n{\n\treturn local64_read(&p->v) + 0;'),
  // a header defining a macro that calls a function priced at its callers (percpu_counter_init): runs whole
  'callee-macro-header': replace('include/linux/percpu_counter.h', 'struct percpu_counter {\n\traw_spinlock_t lock;', 'struct percpu_counter {\n\traw_spinlock_t lock;\n\tlong edit_check_pad;'),
  // an alloc_percpu call added
  'alloc-added': replace('kernel/softirq.c', 'unsigned int __weak arch_dynirq_lower_bound(unsigned int from)', 'void *edit_check_alloc(void)\n{\n\treturn alloc_percpu(struct rcu_head);\n}\n\nunsigned int __weak arch_dynirq_lower_bound(unsigned int from)'),
  // a body edited in a .c file Kbuild builds a local header with (arch/x86/events/core.c #includes
  // "perf_event.h", as ~3,500 of Debian's built files do): both redone, not a whole run
  'includer-body': replace('arch/x86/events/core.c', 'if (!(hwc->flags & PERF_EVENT_FLAG_USER_READ_CNT))\n\t\treturn 0;', 'if (!(hwc->flags & PERF_EVENT_FLAG_USER_READ_CNT))\n\t\treturn 0 * 1;'),
  // a body edited in a .c file using a per-CPU wrapper macro (kernel/cpu.c: DEFINE_STATIC_PERCPU_RWSEM):
  // its uses read again under the saved wrapper names, not a whole run
  'wrapper-user-body': replace('kernel/cpu.c', 'void cpus_read_lock(void)\n{\n\tpercpu_down_read(&cpu_hotplug_lock);', 'void cpus_read_lock(void)\n{\n\tbarrier();\n\tpercpu_down_read(&cpu_hotplug_lock);'),
  // a wrapper macro use added there: one more per-CPU variable from its expansion
  'wrapper-use-added': replace('kernel/cpu.c', 'DEFINE_STATIC_PERCPU_RWSEM(cpu_hotplug_lock);', 'DEFINE_STATIC_PERCPU_RWSEM(cpu_hotplug_lock);\nDEFINE_PERCPU_RWSEM(edit_check_rwsem);'),
  // a .c file touched (mtime only)
  touched: (tree) => {
    const p = path.join(tree, 'lib/sort.c');
    const st = fs.statSync(p);
    const now = new Date();
    fs.utimesSync(p, now, now);
    return () => fs.utimesSync(p, st.atime, st.mtime);
  },
  // a file added (not in any Makefile)
  'file-added': (tree) => {
    const p = path.join(tree, 'kernel/edit_check_added.c');
    fs.writeFileSync(p, '#include <linux/percpu.h>\nstatic DEFINE_PER_CPU(long, edit_check_added);\n');
    return () => fs.rmSync(p, { force: true });
  },
  // a new driver's own header, in a folder of its own (a pull adding a driver): a changed file, not a whole run
  'header-added': (tree) => {
    const d = path.join(tree, 'drivers/net/ethernet/edit_check');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'edit_check.h'), '#include <linux/percpu.h>\nstruct edit_check_stats { u64 rx; };\nDECLARE_PER_CPU(struct edit_check_stats, edit_check_stats);\n');
    return () => fs.rmSync(d, { recursive: true, force: true });
  },
  // a file removed
  'file-removed': (tree) => {
    const p = path.join(tree, 'kernel/watchdog_perf.c');
    const was = fs.readFileSync(p);
    fs.rmSync(p);
    return () => fs.writeFileSync(p, was);
  },
};

module.exports = { EDITS };
