// Runs the estimate on both sides under one profile. NEW over an overlay re-uses OLD's scan: only
// the changed files are scanned again (from the overlay folder, through the content cache), and the
// estimate reads every other file from OLD's tree.
import * as path from 'path';
import picomatch from 'picomatch';
import { DEFAULT_EXCLUDE, estimate, EstimateOptions, EstimateResult } from '../estimate';
import { withOverlay, Overlay } from '../overlay';
import { readText } from '../readText';
import { DEFAULT_INCLUDE } from '../parse/scanTree';
import { scanFile } from '../parse/scanFile';
import type { ScanResult } from '../parse/types';
import type { Materialised } from './materialise';

export type DiffEstimateOptions = Omit<EstimateOptions, 'root' | 'scan' | 'onScan'>;

export interface DiffRun {
  before: EstimateResult;
  after: EstimateResult;
  /** files NEW replaced (overlay sides); undefined for two separate trees */
  changedFiles?: string[];
  /** a file's text on either side ('' when absent) */
  textOf: (side: 'old' | 'new', file: string) => string;
  ms: { old: number; new: number; rescan: number };
}

/** OLD's scan with the overlay's files scanned again from their new text (deleted ones dropped). */
export async function rescanOverlay(scan: ScanResult, ov: Overlay, o: { include?: string[]; exclude?: string[]; cacheDir?: string }): Promise<ScanResult> {
  const inc = picomatch(o.include?.length ? o.include : DEFAULT_INCLUDE, { dot: true });
  const exc = picomatch(o.exclude ?? [...DEFAULT_EXCLUDE], { dot: true });
  const changed = new Set(ov.files.keys());
  const findings = scan.findings.filter((f) => !changed.has(f.file));
  const errors = scan.errors.filter((e) => !changed.has(e.file));
  const accessors = new Set((scan.accessorFiles ?? []).filter((f) => !changed.has(f)));
  for (const [rel, to] of ov.files) {
    if (to === null || !inc(rel) || exc(rel)) continue;
    // the overlay folder holds the file at the same relative path
    const base = to.slice(0, to.length - rel.length);
    const r = await scanFile(base, rel, { maxFileBytes: 8 * 1024 * 1024, parseTimeoutMs: 10000, cacheDir: o.cacheDir });
    findings.push(...r.findings);
    for (const m of r.errors) errors.push({ file: rel, message: m });
    if (r.accessors) accessors.add(rel);
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  return { ...scan, findings, errors, accessorFiles: [...accessors].sort() };
}

export async function runDiff(m: Materialised, o: DiffEstimateOptions): Promise<DiffRun> {
  let oldScan: ScanResult | undefined;
  const t0 = Date.now();
  const before = await estimate({ ...o, root: m.old.root, onScan: (s) => { oldScan = s; } });
  const t1 = Date.now();
  const ov = m.new.overlay;
  let after: EstimateResult;
  let rescanMs = 0;
  if (ov) {
    const scan = await rescanOverlay(oldScan!, ov, o);
    rescanMs = Date.now() - t1;
    after = await withOverlay(ov, () => estimate({ ...o, root: m.new.root, scan }));
  } else {
    after = await estimate({ ...o, root: m.new.root });
  }
  const t2 = Date.now();
  const textOf = (side: 'old' | 'new', file: string): string => {
    let p = path.join(side === 'old' ? m.old.root : m.new.root, file);
    if (side === 'new' && ov?.files.has(file)) {
      const to = ov.files.get(file);
      if (to === null || to === undefined) return '';
      p = to;
    }
    try {
      return readText(p, 'utf8');
    } catch {
      return '';
    }
  };
  return { before, after, changedFiles: ov ? [...ov.files.keys()] : undefined, textOf, ms: { old: t1 - t0, new: t2 - t1 - rescanMs, rescan: rescanMs } };
}
