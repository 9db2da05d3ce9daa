/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SAMPLE_PERCPU_H
#define _SAMPLE_PERCPU_H
#include <linux/types.h>
#include <linux/percpu-defs.h>
#include <linux/threads.h>

void __percpu *__alloc_percpu(size_t size, size_t align);
void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp);
void free_percpu(void __percpu *pdata);

#define alloc_percpu(type) \
	((__typeof__(type) __percpu *)__alloc_percpu(sizeof(type), __alignof__(type)))
#define alloc_percpu_gfp(type, gfp) \
	((__typeof__(type) __percpu *)__alloc_percpu_gfp(sizeof(type), __alignof__(type), gfp))

int smp_processor_id(void);
void *kzalloc(size_t size, gfp_t gfp);
void kfree(const void *p);

#endif
