/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SAMPLE_CACHE_H
#define _SAMPLE_CACHE_H

#define L1_CACHE_SHIFT		6
#define L1_CACHE_BYTES		(1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES		L1_CACHE_BYTES
#define PAGE_SIZE		4096

#define ____cacheline_aligned	__attribute__((__aligned__(SMP_CACHE_BYTES)))
#ifdef CONFIG_SMP
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#else
#define ____cacheline_aligned_in_smp
#endif

#endif
