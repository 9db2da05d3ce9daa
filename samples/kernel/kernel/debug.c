// SPDX-License-Identifier: GPL-2.0
/* Built only with CONFIG_SAMPLE_DEBUG: reported as not built, never counted. */
#include <linux/percpu.h>

struct debug_state {
	unsigned long	hits[32];
};

DEFINE_PER_CPU(struct debug_state, debug_state);
