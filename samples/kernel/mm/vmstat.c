// SPDX-License-Identifier: GPL-2.0
/* VM counters: a static per-CPU array of events and dynamic per-zone counters. */
#include <linux/percpu.h>

#define NR_VM_EVENT_ITEMS	40
#define NR_VM_ZONE_STAT_ITEMS	12
#define NR_HIST_BUCKETS		1024

struct vm_event_state {
	unsigned long event[NR_VM_EVENT_ITEMS];
};

struct per_cpu_zonestat {
	signed char	vm_stat_diff[NR_VM_ZONE_STAT_ITEMS];
	signed char	stat_threshold;
};

struct latency_hist {
	u64	buckets[NR_HIST_BUCKETS];
};

DEFINE_PER_CPU(struct vm_event_state, vm_event_states);

static struct per_cpu_zonestat __percpu *zonestats;
static struct latency_hist __percpu *hist;
static u64 __percpu *scratch;

int vmstat_init(void)
{
	zonestats = alloc_percpu(struct per_cpu_zonestat);
	if (!zonestats)
		return -ENOMEM;
	/* 8 KiB on every CPU: large against the dynamic reserve. */
	hist = alloc_percpu_gfp(struct latency_hist, GFP_KERNEL);
	if (!hist)
		goto free_zonestats;
	scratch = __alloc_percpu(sizeof(u64) * 4, __alignof__(u64));
	if (!scratch)
		goto free_hist;
	return 0;

free_hist:
	free_percpu(hist);
free_zonestats:
	free_percpu(zonestats);
	return -ENOMEM;
}
