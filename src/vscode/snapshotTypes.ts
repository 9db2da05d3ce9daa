// Shape of the simulator's chunk map. Mirrors src/core/sim/snapshot.ts exactly (the simulator owns it);
// when that file lands, re-export from it here instead of this copy.

export interface ChunkMapSnapshot {
  unitSize: number; pageSize: number; nrUnits: number; nrPossibleCpus: number;
  firstChunk: { static: number; reserved: number; dynamic: number; unitSize: number; bootLine: string };
  chunks: Array<{ id: number; kind: 'reserved' | 'first' | 'dynamic'; startOffset: number; endOffset: number; size: number;
    freeBytes: number; contigBytes: number; populatedPages: number; nrPages: number;
    blocks: Array<{ offset: number; size: number; kind: 'static' | 'alloc' | 'free' | 'hidden'; label?: string; file?: string; line?: number }> }>;
}
