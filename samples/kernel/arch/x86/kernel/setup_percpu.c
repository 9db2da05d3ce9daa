// SPDX-License-Identifier: GPL-2.0
/* Early per-CPU state of the sample arch: what the kernel puts first and page-aligned. */
#include <linux/percpu.h>

struct fixed_percpu_data {
	char		gs_base[40];
	unsigned long	stack_canary;
};

struct gdt_page {
	u64 gdt[16];
} __aligned(PAGE_SIZE);

DEFINE_PER_CPU_FIRST(struct fixed_percpu_data, fixed_percpu_data) __aligned(PAGE_SIZE);
DEFINE_PER_CPU_PAGE_ALIGNED(struct gdt_page, gdt_page);
DEFINE_PER_CPU_READ_MOSTLY(int, cpu_number);
DEFINE_PER_CPU_READ_MOSTLY(unsigned long, this_cpu_off);

int sample_cpu_number(void)
{
	return this_cpu_read(cpu_number);
}
