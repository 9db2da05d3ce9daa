// The chunk map the webview draws: every chunk as unit-relative byte ranges (one unit drawn to scale
// is the map, since all units of a chunk look alike). Share EXACTLY this shape with the editor.

import type { PercpuAllocator } from './allocator';
import { MIN_ALLOC_SIZE } from './chunk';
import { findNextBit, testBit } from './bitmap';

export interface ChunkMapSnapshot {
  unitSize: number; pageSize: number; nrUnits: number; nrPossibleCpus: number;
  firstChunk: { static: number; reserved: number; dynamic: number; unitSize: number; bootLine: string;
    /** the boot line's "Embedded N pages/cpu" (absent in states saved by older versions) */
    pagesPerCpu?: number };
  chunks: Array<{ id: number; kind: 'reserved' | 'first' | 'dynamic'; startOffset: number; endOffset: number; size: number;
    freeBytes: number; contigBytes: number; populatedPages: number; nrPages: number;
    blocks: Array<{ offset: number; size: number; kind: 'static' | 'alloc' | 'free' | 'hidden'; label?: string; file?: string; line?: number }> }>;
}

type Block = ChunkMapSnapshot['chunks'][number]['blocks'][number];

export function snapshot(a: PercpuAllocator): ChunkMapSnapshot {
  const fc = a.fc;
  const chunks: ChunkMapSnapshot['chunks'] = [];
  const order = [...a.chunks.values()].sort((x, y) => x.id - y.id);
  for (const ch of order) {
    const blocks: Block[] = [];
    const base = ch.unitBase;
    const sBit = ch.startOffset / MIN_ALLOC_SIZE;
    const eBit = ch.mapBits - ch.endOffset / MIN_ALLOC_SIZE;
    if (ch.kind === 'first') {
      const staticAl = (fc.static + 3) & ~3;
      if (fc.static) blocks.push({ offset: 0, size: fc.static, kind: 'static', label: 'static per-CPU data (vmlinux .data..percpu)' });
      if (staticAl > fc.static) blocks.push({ offset: fc.static, size: staticAl - fc.static, kind: 'hidden', label: 'alignment of the static area to 4 bytes' });
    }
    // walk the usable bits: live areas start where alloc and bound bits are both set
    let bit = sBit;
    while (bit < eBit) {
      if (testBit(ch.alloc, bit)) {
        const end = Math.min(findNextBit(ch.bound, eBit, bit + 1), eBit);
        const tag = ch.tags.get(bit);
        const b: Block = { offset: base + bit * MIN_ALLOC_SIZE, size: (end - bit) * MIN_ALLOC_SIZE, kind: 'alloc' };
        if (tag) {
          b.label = tag.label;
          if (tag.file !== undefined) b.file = tag.file;
          if (tag.line !== undefined) b.line = tag.line;
        }
        blocks.push(b);
        bit = end;
      } else {
        const end = findNextBit(ch.alloc, eBit, bit + 1);
        blocks.push({ offset: base + bit * MIN_ALLOC_SIZE, size: (end - bit) * MIN_ALLOC_SIZE, kind: 'free' });
        bit = end;
      }
    }
    if (ch.kind === 'first' && fc.unitSize > fc.sizeSum) {
      blocks.push({ offset: fc.sizeSum, size: fc.unitSize - fc.sizeSum, kind: 'hidden', label: fc.helper === 'embed' ? 'rest of the unit, returned to the page allocator at boot' : 'rest of the unit (unused by the first chunk)' });
    }
    const startOffset = base + ch.startOffset;
    const endOffset = base + ch.nrPages * a.pageSize - ch.endOffset;
    chunks.push({
      id: ch.id, kind: ch.kind, startOffset, endOffset, size: endOffset - startOffset,
      freeBytes: ch.freeBytes, contigBytes: ch.cmd.contigHint[0] * MIN_ALLOC_SIZE,
      populatedPages: ch.nrPopulated, nrPages: ch.nrPages, blocks,
    });
  }
  return {
    unitSize: fc.unitSize, pageSize: a.pageSize, nrUnits: fc.nrUnits, nrPossibleCpus: fc.nrPossibleCpus,
    firstChunk: { static: fc.static, reserved: fc.reserved, dynamic: fc.dynamic, unitSize: fc.unitSize, bootLine: fc.bootLine, pagesPerCpu: fc.pagesPerCpu },
    chunks,
  };
}
