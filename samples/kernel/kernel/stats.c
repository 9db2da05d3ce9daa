// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics: two historical shapes kept on purpose.
 * - a work queue structure padded to a cache line although it is only reached per CPU;
 * - the 2.6.28 module reference count, one cache line per NR_CPUS slot inside struct module.
 */
#include <linux/percpu.h>

struct cpu_workqueue_struct {
	spinlock_t		lock;
	struct list_head	worklist;
	int			run_depth;
} ____cacheline_aligned;

struct module_ref {
	local_t count;
} ____cacheline_aligned;

struct module {
	char			name[56];
	struct list_head	list;
	struct module_ref	ref[NR_CPUS];
};

static struct cpu_workqueue_struct __percpu *cwq;

int stats_init(void)
{
	cwq = alloc_percpu(struct cpu_workqueue_struct);
	if (!cwq)
		return -ENOMEM;
	return 0;
}
