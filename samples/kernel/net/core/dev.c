// SPDX-License-Identifier: GPL-2.0
/* Network devices: per-CPU softnet queues and the device reference count. */
#include <linux/percpu.h>

struct sk_buff;

struct softnet_data {
	struct list_head	poll_list;
	struct sk_buff		*completion_queue;
	unsigned int		processed;
	unsigned int		time_squeeze;
	unsigned int		received_rps;
	unsigned int		dropped;
};

struct net_device {
	char			name[16];
	unsigned long		state;
	atomic_t		refcnt;
	int __percpu		*pcpu_refcnt;
	unsigned int		mtu;
	struct list_head	dev_list;
};

DEFINE_PER_CPU_ALIGNED(struct softnet_data, softnet_data);

static inline void dev_hold(struct net_device *dev)
{
	__atomic_add_fetch(&dev->refcnt.counter, 1, __ATOMIC_SEQ_CST);
}

static inline void dev_put(struct net_device *dev)
{
	__atomic_sub_fetch(&dev->refcnt.counter, 1, __ATOMIC_SEQ_CST);
}

int register_queue(struct net_device *dev);

struct net_device *alloc_netdev(void)
{
	struct net_device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);

	if (!dev)
		return NULL;
	dev->pcpu_refcnt = alloc_percpu(int);
	if (!dev->pcpu_refcnt)
		goto free_dev;
	if (register_queue(dev))
		goto free_dev;	/* leaks dev->pcpu_refcnt */
	dev_hold(dev);
	return dev;

free_dev:
	kfree(dev);
	return NULL;
}

void netdev_run(struct net_device *dev)
{
	dev_hold(dev);
	dev_put(dev);
}
