// Public API of the scan: one file (scanText) or a whole tree (scanTree).
export * from './types';
export { scanText } from './scanText';
export { scanTree, DEFAULT_INCLUDE } from './scanTree';
export { defaultCacheDir, DirStore, MemoryStore } from './cache';
export type { CacheStore } from './cache';
