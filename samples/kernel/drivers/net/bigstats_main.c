// SPDX-License-Identifier: GPL-2.0
/* A module with more static per-CPU data than the 8 KiB reserved chunk holds. */
#include <linux/percpu.h>

struct bigstats_ring {
	u64	slots[768];
};

DEFINE_PER_CPU(struct bigstats_ring, bigstats_ring);
