// Findings for per-CPU variables defined through wrapper macros, for the files a config builds:
// wrapper names from the headers and the built files, uses expanded as gcc would see them
// from each file (its active #if branches, its include order). See wrappers.ts.
import * as fs from 'fs';
import * as path from 'path';
import type { Finding } from '../parse/types';
import type { LayoutEngine } from '../layout';
import { expandWrappers, wrapperNames } from './wrappers';
import type { MacroCall } from './macroCall';

export interface WrappedFinding extends Finding {
  /** the DEFINE_PER_CPU* call as expanded (its arguments and trailing attributes) */
  call: MacroCall;
}

function headersUnder(dir: string, out: Map<string, string>): void {
  let ents: fs.Dirent[];
  try { ents = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of ents) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) headersUnder(p, out);
    else if (e.name.endsWith('.h') && !out.has(p)) out.set(p, fs.readFileSync(p, 'latin1'));
  }
}

/** `files`: built files relative to root (.c and the local headers they include). */
export function wrappedFindings(root: string, files: string[], layout: LayoutEngine): { findings: WrappedFinding[]; unresolved: Finding[] } {
  const texts = new Map<string, string>();
  for (const d of layout.index.dirs) headersUnder(d, texts);
  const built = new Map<string, string>();
  for (const f of files) {
    try { built.set(f, fs.readFileSync(path.join(root, f), 'latin1')); } catch { /* unreadable: the scan reports it */ }
  }
  const names = wrapperNames([...texts.values(), ...built.values()]);
  const findings: WrappedFinding[] = [];
  const unresolved: Finding[] = [];
  if (!names.size) return { findings, unresolved };
  const use = new RegExp(`\\b(?:${[...names].join('|')})\\s*\\(`);
  for (const [f, text] of built) {
    if (!use.test(text)) continue;
    const abs = path.join(root, f);
    const lf = layout.index.loaded(abs);
    if (!lf) continue;
    const r = expandWrappers(lf.scan.active, names, layout.index.lookupFor(path.resolve(abs)));
    // types the expansions define become visible to the layout as a file beside the source
    if (r.records.length) layout.addSource(`${abs}.expanded.h`, r.records.join(';\n'));
    const base = (line: number, column: number, macro: string): Finding =>
      ({ kind: 'static', file: f, line, column, endLine: line, endColumn: column, name: '', type: '', macro });
    for (const d of r.defs) {
      findings.push({ ...base(d.line, d.column, d.macro), name: d.name, type: d.type, ...(d.dims.length ? { dims: d.dims } : {}), call: d.call });
    }
    for (const p of r.problems) unresolved.push({ ...base(p.line, p.column, p.via), unresolved: p.reason });
  }
  return { findings, unresolved };
}
