// SPDX-License-Identifier: GPL-2.0
/* Softirq state: one per-CPU variable, and one array sized for every CPU the kernel could have. */
#include <linux/percpu.h>

#define NR_SOFTIRQS 10

struct task_struct;

struct irq_cpustat {
	unsigned int	__softirq_pending;
	unsigned int	counts[NR_SOFTIRQS];
} ____cacheline_aligned;

/* Indexed by CPU id: NR_CPUS slots even when 4 CPUs are possible. */
struct irq_cpustat irq_stat[NR_CPUS];

DEFINE_PER_CPU(struct task_struct *, ksoftirqd);
DEFINE_PER_CPU(unsigned int, softirq_pending_mask);

unsigned int pending(int cpu)
{
	return irq_stat[cpu].__softirq_pending;
}
