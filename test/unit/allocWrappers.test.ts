// alloc_percpu written inside macros (6.12's include/linux/netdevice.h: netdev_alloc_pcpu_stats ->
// __netdev_alloc_pcpu_stats -> alloc_percpu_gfp): the graph of macro bodies finds the wrappers, and
// each use in a built file becomes a call site at the use's line, in its function (net/core/dev.c's
// netdev_do_alloc_pcpu_stats: the 16 B struct pcpu_lstats that Debian's amd64 boot traces under
// register_netdevice).
import * as assert from 'assert';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig } from '../../src/core/config/kconfig';
import { LayoutEngine } from '../../src/core/layout';
import { ALLOC_FUNCS } from '../../src/core/parse/triggers';
import { WrapperGraph } from '../../src/core/estimate/wrappers';
import { wrappedAllocs } from '../../src/core/estimate/allocWrappers';

const NETDEVICE_H = `#define __netdev_alloc_pcpu_stats(type, gfp)				\\
({									\\
	typeof(type) __percpu *pcpu_stats = alloc_percpu_gfp(type, gfp);\\
	pcpu_stats;							\\
})

#define netdev_alloc_pcpu_stats(type)					\\
	__netdev_alloc_pcpu_stats(type, GFP_KERNEL)
#define bpf_map_alloc_percpu(_map, _size, _align, _flags)	\\
		__alloc_percpu_gfp(_size, _align, _flags)
#define unrelated(x) kmalloc(x)
`;

const DEV_C = `${NETDEVICE_H}
static int netdev_do_alloc_pcpu_stats(struct net_device *dev)
{
	switch (dev->pcpu_stat_type) {
	case NETDEV_PCPU_STAT_LSTATS:
		v = dev->lstats = netdev_alloc_pcpu_stats(struct pcpu_lstats);
		break;
#ifdef CONFIG_NOT_SET
	case NETDEV_PCPU_STAT_DSTATS:
		v = dev->dstats = netdev_alloc_pcpu_stats(struct pcpu_dstats);
		break;
#endif
	}
	return 0;
}

int map_alloc(struct bpf_map *map)
{
	map->p = bpf_map_alloc_percpu(map, 24, 8, GFP_KERNEL);
	return 0;
}
`;

describe('alloc_percpu inside macros', () => {
  it('finds the macros that expand to an alloc_percpu*, through each other', () => {
    const g = new WrapperGraph();
    g.add(NETDEVICE_H);
    assert.deepStrictEqual([...g.allocWrappers(ALLOC_FUNCS)].sort(), ['__netdev_alloc_pcpu_stats', 'bpf_map_alloc_percpu', 'netdev_alloc_pcpu_stats']);
    assert.deepStrictEqual([...WrapperGraph.from(JSON.parse(JSON.stringify(g)))!.allocWrappers(ALLOC_FUNCS)].sort(), [...g.allocWrappers(ALLOC_FUNCS)].sort());
  });

  it('each active use is a call site at its line, with the type or size the macro passes on', async () => {
    const e = await LayoutEngine.create({ arch: ARCHES.x86_64, config: defaultConfig('x86_64') });
    e.addSource('/t/net/core/dev.c', DEV_C);
    const g = new WrapperGraph();
    g.add(NETDEVICE_H);
    const f = await wrappedAllocs('/t', ['net/core/dev.c'], g.allocWrappers(ALLOC_FUNCS), e, () => new Set(DEV_C.match(/\w+/g)));
    const line = (s: string) => DEV_C.split('\n').findIndex((l) => l.includes(s)) + 1;
    assert.deepStrictEqual(f.map((x) => [x.line, x.func, x.macro, x.type, x.sizeExpr ?? '', x.alignExpr ?? '']), [
      [line('struct pcpu_lstats'), 'netdev_do_alloc_pcpu_stats', 'alloc_percpu_gfp', 'struct pcpu_lstats', '', ''],
      [line('bpf_map_alloc_percpu(map'), 'map_alloc', '__alloc_percpu_gfp', '', '24', '8'],
    ]);
  });
});
