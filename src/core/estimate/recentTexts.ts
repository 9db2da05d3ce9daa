// File texts for the sizing and rules passes, which visit files in path order and come back to a
// few of them: the most recently read ones are kept, up to a budget, so a whole tree's worth of
// source never sits in the heap at once.
import * as fs from 'fs';
import * as path from 'path';
import { readText } from '../readText';

/**
 * characters kept (1 byte each for ASCII text): the passes come back to a file within a few files
 * (Debian amd64's every-stage run: 362 returns, the same at 8 MB and at 0.5 MB), so 1 MB serves
 */
const BUDGET = 1024 * 1024;

/** A reader of files as recentTexts gives them; `once` reads a file not kept without keeping it. */
export interface TextReader {
  (file: string): string;
  /**
   * For passes over many files, each read once: a text kept in the LRU would outlive a few young
   * collections and be promoted, old-generation garbage that only a full collection frees.
   */
  once(file: string): string;
}

/** A reader of `root`-relative files as UTF-8 ('' when unreadable), remembering recent ones. */
export function recentTexts(root: string, budget = BUDGET): TextReader {
  const kept = new Map<string, string>(); // least recently used first
  let size = 0;
  const read = (f: string): string => {
    try {
      return readText(path.join(root, f), 'utf8');
    } catch {
      return '';
    }
  };
  const reader = (f: string): string => {
    let t = kept.get(f);
    if (t !== undefined) {
      kept.delete(f);
      kept.set(f, t);
      return t;
    }
    t = read(f);
    kept.set(f, t);
    size += t.length;
    for (const [k, v] of kept) {
      if (size <= budget || k === f) break;
      kept.delete(k);
      size -= v.length;
    }
    return t;
  };
  return Object.assign(reader, { once: (f: string) => kept.get(f) ?? read(f) });
}
