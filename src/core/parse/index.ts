// Public API of the scan: one file (scanText) or a whole tree (scanTree).
export * from './types';
export { scanText } from './scanText';
export { scanTree, DEFAULT_INCLUDE } from './scanTree';
export { DocScan, diffEdit } from './incremental';
export type { TextEdit, DocScanResult } from './incremental';
export { defaultCacheDir, DirStore, MemoryStore } from './cache';
export type { CacheStore } from './cache';
