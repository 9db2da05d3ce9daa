// SPDX-License-Identifier: GPL-2.0
/* A run queue per CPU, as kernel/sched/core.c keeps it. */
#include <linux/percpu.h>

struct task_struct;

struct rq {
	spinlock_t		lock;
	unsigned int		nr_running;
	unsigned long		nr_switches;
	u64			clock;
	u64			clock_task;
	struct task_struct	*curr;
	struct task_struct	*idle;
	struct list_head	cfs_tasks;
	int			cpu;
	int			online;
	unsigned char		idle_balance;
	unsigned long		cpu_capacity;
};

DEFINE_PER_CPU_SHARED_ALIGNED(struct rq, runqueues);
DEFINE_PER_CPU(struct task_struct *, current_task);
static DEFINE_PER_CPU(unsigned long, nr_context_switches);
DECLARE_PER_CPU(int, cpu_number);

struct rq *this_rq_slow(void)
{
	/* per_cpu_ptr() on the local CPU: this_cpu_ptr() says the same, cheaper. */
	return per_cpu_ptr(&runqueues, smp_processor_id());
}

void account_switch(void)
{
	this_cpu_inc(nr_context_switches);
}
