// SPDX-License-Identifier: GPL-2.0
#include <linux/percpu.h>

struct bigstats_hist {
	u32	buckets[1024];
};

DEFINE_PER_CPU(struct bigstats_hist, bigstats_hist);
