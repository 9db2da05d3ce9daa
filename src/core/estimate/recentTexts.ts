// File texts for the sizing and rules passes, which visit files in path order and come back to a
// few of them: the most recently read ones are kept, up to a budget, so a whole tree's worth of
// source never sits in the heap at once.
import * as fs from 'fs';
import * as path from 'path';
import { readText } from '../readText';

/** characters kept (1 byte each for ASCII text) */
const BUDGET = 8 * 1024 * 1024;

/** A reader of `root`-relative files as UTF-8 ('' when unreadable), remembering recent ones. */
export function recentTexts(root: string, budget = BUDGET): (file: string) => string {
  const kept = new Map<string, string>(); // least recently used first
  let size = 0;
  return (f) => {
    let t = kept.get(f);
    if (t !== undefined) {
      kept.delete(f);
      kept.set(f, t);
      return t;
    }
    try {
      t = readText(path.join(root, f), 'utf8');
    } catch {
      t = '';
    }
    kept.set(f, t);
    size += t.length;
    for (const [k, v] of kept) {
      if (size <= budget || k === f) break;
      kept.delete(k);
      size -= v.length;
    }
    return t;
  };
}
