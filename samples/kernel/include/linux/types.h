/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SAMPLE_TYPES_H
#define _SAMPLE_TYPES_H
#include <linux/compiler.h>

typedef unsigned char		u8;
typedef unsigned short		u16;
typedef unsigned int		u32;
typedef unsigned long long	u64;
typedef long long		s64;
typedef _Bool			bool;
typedef unsigned long		size_t;
typedef unsigned int		gfp_t;

#define NULL ((void *)0)
#define GFP_KERNEL	0x0cc0u
#define GFP_ATOMIC	0x0820u
#define ENOMEM		12

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	long counter;
} atomic_long_t;

typedef struct {
	atomic_long_t a;
} local_t;

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

struct list_head {
	struct list_head *next, *prev;
};

typedef struct {
	unsigned int lock;
} spinlock_t;

#endif
