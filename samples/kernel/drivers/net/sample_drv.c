// SPDX-License-Identifier: GPL-2.0
/* A loadable driver: its per-CPU data comes from the reserved chunk at load time. */
#include <linux/percpu.h>

struct drv_stats {
	u64	rx_packets;
	u64	tx_packets;
	u64	rx_bytes;
	u64	tx_bytes;
	u32	errors;
};

struct drv_priv {
	unsigned long	*tx_count;	/* per-CPU, but not marked __percpu */
	int		id;
};

static DEFINE_PER_CPU(struct drv_stats, drv_stats);

int drv_probe(struct drv_priv *priv)
{
	priv->tx_count = alloc_percpu(unsigned long);
	if (!priv->tx_count)
		return -ENOMEM;
	return 0;
}

void drv_rx(unsigned int len)
{
	this_cpu_inc(drv_stats.rx_packets);
	drv_stats.rx_bytes += len;
}

void drv_remove(struct drv_priv *priv)
{
	free_percpu(priv->tx_count);
}
