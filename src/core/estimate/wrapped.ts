// Findings for per-CPU variables defined through wrapper macros, for the files a config builds:
// wrapper names from the headers and the built files, uses expanded as gcc would see them
// from each file (its active #if branches, its include order). See wrappers.ts.
import * as fs from 'fs';
import * as path from 'path';
import type { Finding } from '../parse/types';
import type { LayoutEngine } from '../layout';
import { WrapperGraph, expandWrappers } from './wrappers';
import type { MacroCall } from './macroCall';
import { readText } from '../readText';

export interface WrappedFinding extends Finding {
  /** the DEFINE_PER_CPU* call as expanded (its arguments and trailing attributes) */
  call: MacroCall;
}

function read(p: string): string | undefined {
  try { return readText(p, 'latin1'); } catch { return undefined; }
}

/** Wrappers that define a per-CPU variable only in built-in code: include/linux/srcutree.h's
 *  `#ifdef MODULE` __DEFINE_SRCU has no DEFINE_PER_CPU (a module's srcu_data is allocated when it loads). */
const BUILTIN_ONLY = new Set(['DEFINE_SRCU', 'DEFINE_STATIC_SRCU']);

/** `files`: built files relative to root (.c and the local headers they include); `isModule`: built with -DMODULE. */
export async function wrappedFindings(root: string, files: string[], layout: LayoutEngine, pause: () => Promise<void> = async () => undefined,
  isModule: (file: string) => boolean = () => false): Promise<{ findings: WrappedFinding[]; unresolved: Finding[] }> {
  // wrapper names from the headers under the include dirs (read once, with the type index) and
  // the built files; texts are dropped as soon as their #defines are read
  const graph = new WrapperGraph();
  layout.index.forEachHeader((_f, text) => graph.add(text));
  const readable = new Set<string>(); // first occurrence order, as the file list gives it
  for (const f of files) {
    await pause();
    const text = readable.has(f) ? undefined : read(path.join(root, f));
    if (text === undefined) continue; // unreadable: the scan reports it
    graph.add(text);
    readable.add(f);
  }
  const names = graph.names();
  const findings: WrappedFinding[] = [];
  const unresolved: Finding[] = [];
  if (!names.size) return { findings, unresolved };
  const use = new RegExp(`\\b(?:${[...names].join('|')})\\s*\\(`);
  for (const f of readable) {
    await pause();
    if (!use.test(read(path.join(root, f)) ?? '')) continue;
    const abs = path.join(root, f);
    const lf = layout.index.loaded(abs);
    if (!lf) continue;
    const r = expandWrappers(lf.scan.active, names, layout.index.lookupFor(path.resolve(abs)));
    // types the expansions define become visible to the layout as a file beside the source
    if (r.records.length) layout.addSource(`${abs}.expanded.h`, r.records.join(';\n'));
    const base = (line: number, column: number, macro: string): Finding =>
      ({ kind: 'static', file: f, line, column, endLine: line, endColumn: column, name: '', type: '', macro });
    for (const d of r.defs) {
      if (BUILTIN_ONLY.has(d.via) && isModule(f)) continue;
      findings.push({ ...base(d.line, d.column, d.macro), name: d.name, type: d.type, ...(d.dims.length ? { dims: d.dims } : {}), call: d.call });
    }
    for (const p of r.problems) unresolved.push({ ...base(p.line, p.column, p.via), unresolved: p.reason });
  }
  return { findings, unresolved };
}
