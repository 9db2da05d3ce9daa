/* SPDX-License-Identifier: GPL-2.0 */
/* percpu-lens sample tree: the attribute spellings kernel code uses. */
#ifndef _SAMPLE_COMPILER_H
#define _SAMPLE_COMPILER_H

#define __aligned(x)		__attribute__((__aligned__(x)))
#define __packed		__attribute__((__packed__))
#define __used			__attribute__((__used__))
#define __percpu
#define __rcu
#define __init
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#endif
