// Public API of the scan: one file (scanText) or a whole tree (scanTree).
export * from './types';
export { scanText } from './scanText';
export { scanTree, DEFAULT_INCLUDE } from './scanTree';
export { DocScan } from './incremental';
export { diffEdit } from './textEdit';
export type { DocScanResult } from './incremental';
export type { TextEdit } from './textEdit';
export { defaultCacheDir, DirStore, MemoryStore } from './cache';
export type { CacheStore } from './cache';
