/* SPDX-License-Identifier: GPL-2.0 */
/*
 * percpu-lens sample tree: per-CPU definitions with the same sections and
 * alignments as the kernel's include/linux/percpu-defs.h on SMP, in fewer lines.
 * These macro definitions are not findings; their uses are.
 */
#ifndef _SAMPLE_PERCPU_DEFS_H
#define _SAMPLE_PERCPU_DEFS_H
#include <linux/cache.h>

#define PER_CPU_BASE_SECTION ".data..percpu"
#define __PCPU_ATTRS(sec)	__percpu __attribute__((section(PER_CPU_BASE_SECTION sec)))

#define DECLARE_PER_CPU_SECTION(type, name, sec)	extern __PCPU_ATTRS(sec) __typeof__(type) name
#define DEFINE_PER_CPU_SECTION(type, name, sec)		__PCPU_ATTRS(sec) __typeof__(type) name

#define DECLARE_PER_CPU(type, name)		DECLARE_PER_CPU_SECTION(type, name, "")
#define DEFINE_PER_CPU(type, name)		DEFINE_PER_CPU_SECTION(type, name, "")
#define DEFINE_PER_CPU_FIRST(type, name)	DEFINE_PER_CPU_SECTION(type, name, "..first")
#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) \
	DEFINE_PER_CPU_SECTION(type, name, "..shared_aligned") ____cacheline_aligned_in_smp
#define DEFINE_PER_CPU_ALIGNED(type, name) \
	DEFINE_PER_CPU_SECTION(type, name, "..shared_aligned") ____cacheline_aligned
#define DEFINE_PER_CPU_PAGE_ALIGNED(type, name) \
	DEFINE_PER_CPU_SECTION(type, name, "..page_aligned") __aligned(PAGE_SIZE)
#define DEFINE_PER_CPU_READ_MOSTLY(type, name)	DEFINE_PER_CPU_SECTION(type, name, "..read_mostly")

#define per_cpu_ptr(ptr, cpu)	((__typeof__(ptr))((char *)(ptr) + (cpu) * 0))
#define this_cpu_ptr(ptr)	per_cpu_ptr(ptr, 0)
#define per_cpu(var, cpu)	(*per_cpu_ptr(&(var), cpu))
#define this_cpu_inc(var)	((var)++)
#define this_cpu_dec(var)	((var)--)
#define this_cpu_read(var)	(var)

#endif
