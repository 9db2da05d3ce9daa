// The size line of a hover, without vscode so it is unit-tested. A variable can be aligned more
// than its type (DEFINE_PER_CPU_ALIGNED, aligned attributes, gcc's data alignment on x86): the
// line names both so it agrees with the layout's footer, which is the type's.
import { formatBytes } from '../core/report/format';
import type { Item } from './core';

export function sizeLine(it: Item, arch: string): string | undefined {
  if (it.bytesPerCpu === undefined) return undefined;
  const al = it.align ?? '?';
  const own = it.typeAlign !== undefined && it.align !== undefined && it.typeAlign !== it.align
    ? `align ${al} as placed (the type's own align: ${it.typeAlign})` : `align ${al}`;
  return `size ${formatBytes(it.bytesPerCpu)}, ${own} (${arch})`;
}
