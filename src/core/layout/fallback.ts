// The labelled fallback for files outside a kernel tree: the kernel's attribute macros and a few
// common kernel types, written as the C the kernel would expand them to (x86/generic, no lock
// debugging). Anything resolved through this header is reported in `fallback` on the result, so a
// caller can tell "as gcc computes" from "as this table assumes".
export const FALLBACK_FILE = '<fallback:kernel-types.h>';

export const FALLBACK_HEADER = `
#define __aligned(x) __attribute__((__aligned__(x)))
#define __packed __attribute__((__packed__))
#define __attribute_const__
#define L1_CACHE_BYTES (1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES L1_CACHE_BYTES
#define ____cacheline_aligned __attribute__((__aligned__(SMP_CACHE_BYTES)))
#define __cacheline_aligned ____cacheline_aligned
#ifdef CONFIG_SMP
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#define __cacheline_aligned_in_smp __cacheline_aligned
#else
#define ____cacheline_aligned_in_smp
#define __cacheline_aligned_in_smp
#endif
#define ____cacheline_internodealigned_in_smp ____cacheline_aligned_in_smp
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define __page_aligned_data __attribute__((__section__(".data..page_aligned"), __aligned__(PAGE_SIZE)))
#define __page_aligned_bss __attribute__((__section__(".bss..page_aligned"), __aligned__(PAGE_SIZE)))
#define __randomize_layout
#define __no_randomize_layout
#define randomized_struct_fields_start
#define randomized_struct_fields_end
#define __rcu
#define __percpu
#define __user
#define __iomem
#define __force
#define __bitwise
#define __must_check
#define __read_mostly
#define __counted_by(m)
#define __nonstring
#define __private
#define __designated_init
#define BITS_PER_BYTE 8
#define BITS_PER_TYPE(t) (sizeof(t) * BITS_PER_BYTE)
#define BITS_PER_LONG (__SIZEOF_LONG__ * 8)
#define __KERNEL_DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define DIV_ROUND_UP __KERNEL_DIV_ROUND_UP
#define BITS_TO_LONGS(nr) __KERNEL_DIV_ROUND_UP(nr, BITS_PER_TYPE(long))
#define BITS_TO_U64(nr) __KERNEL_DIV_ROUND_UP(nr, BITS_PER_TYPE(u64))
#define BITS_TO_U32(nr) __KERNEL_DIV_ROUND_UP(nr, BITS_PER_TYPE(u32))
#define BITS_TO_BYTES(nr) __KERNEL_DIV_ROUND_UP(nr, BITS_PER_TYPE(char))
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NR_CPUS CONFIG_NR_CPUS
#define __struct_group(TAG, NAME, ATTRS, MEMBERS...) union { struct { MEMBERS } ATTRS; struct TAG { MEMBERS } ATTRS NAME; } ATTRS
#define struct_group(NAME, MEMBERS...) __struct_group(, NAME, , MEMBERS)
#define struct_group_attr(NAME, ATTRS, MEMBERS...) __struct_group(, NAME, ATTRS, MEMBERS)
#define struct_group_tagged(TAG, NAME, MEMBERS...) __struct_group(TAG, NAME, , MEMBERS)
#define __DECLARE_FLEX_ARRAY(TYPE, NAME) struct { struct { } __empty_ ## NAME; TYPE NAME[]; }
#define DECLARE_FLEX_ARRAY(TYPE, NAME) __DECLARE_FLEX_ARRAY(TYPE, NAME)
typedef signed char s8; typedef unsigned char u8; typedef short s16; typedef unsigned short u16;
typedef int s32; typedef unsigned int u32; typedef long long s64; typedef unsigned long long u64;
typedef s8 __s8; typedef u8 __u8; typedef s16 __s16; typedef u16 __u16; typedef s32 __s32; typedef u32 __u32;
typedef s64 __s64; typedef u64 __u64;
typedef u16 __le16; typedef u16 __be16; typedef u32 __le32; typedef u32 __be32; typedef u64 __le64; typedef u64 __be64;
typedef __u64 __attribute__((aligned(8))) __aligned_u64;
typedef _Bool bool;
typedef unsigned long size_t; typedef long ssize_t; typedef unsigned long uintptr_t; typedef long ptrdiff_t;
typedef long long loff_t; typedef unsigned int gfp_t; typedef unsigned long pgoff_t;
typedef int pid_t; typedef unsigned int uid_t; typedef unsigned int gid_t;
#ifdef CONFIG_64BIT
typedef u64 phys_addr_t; typedef u64 dma_addr_t;
#else
typedef u32 phys_addr_t; typedef u32 dma_addr_t;
#endif
typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
#ifdef CONFIG_64BIT
typedef atomic64_t atomic_long_t;
#else
typedef atomic_t atomic_long_t;
#endif
typedef struct { atomic_long_t a; } local_t;
typedef struct { local_t a; } local64_t;
typedef struct refcount_struct { atomic_t refs; } refcount_t;
struct list_head { struct list_head *next, *prev; };
struct hlist_head { struct hlist_node *first; };
struct hlist_node { struct hlist_node *next, **pprev; };
struct llist_node { struct llist_node *next; };
struct llist_head { struct llist_node *first; };
struct callback_head { struct callback_head *next; void (*func)(struct callback_head *head); } __attribute__((aligned(sizeof(void *))));
#define rcu_head callback_head
typedef struct qspinlock { union { atomic_t val; struct { u8 locked; u8 pending; }; struct { u16 locked_pending; u16 tail; }; }; } arch_spinlock_t;
typedef struct raw_spinlock { arch_spinlock_t raw_lock; } raw_spinlock_t;
typedef struct spinlock { union { struct raw_spinlock rlock; }; } spinlock_t;
typedef struct { arch_spinlock_t wait_lock; atomic_t cnts; } arch_rwlock_t;
typedef struct { arch_rwlock_t raw_lock; } rwlock_t;
typedef struct seqcount { unsigned sequence; } seqcount_t;
typedef s64 ktime_t;
typedef struct cpumask { DECLARE_BITMAP(bits, NR_CPUS); } cpumask_t;
typedef struct cpumask cpumask_var_t[1];
struct u64_stats_sync { };
struct kref { refcount_t refcount; };
struct percpu_ref { unsigned long percpu_count_ptr; struct percpu_ref_data *data; };
`;
