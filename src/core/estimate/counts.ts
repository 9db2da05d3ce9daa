// How many times each alloc_percpu call site runs. Default 1; a counts file overrides it; a trace
// of the kernel's percpu:percpu_alloc_percpu tracepoint gives real numbers from a running system.
import { parsePercpuTrace, type TraceOp } from '../sim/trace';

export type Counts = Map<string, number>; // "file:line" → count

export interface ParsedCounts {
  counts: Counts;
  warnings: string[];
}

const key = (file: string, line: number) => `${file}:${line}`;
export { key as callsiteKey };

/** `{"mm/vmstat.c:31": 12}` JSON, or lines `file:line count` (`#` comments). */
export function parseCountsFile(text: string): ParsedCounts {
  const counts: Counts = new Map();
  const warnings: string[] = [];
  const t = text.trim();
  if (t.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch (e) {
      return { counts, warnings: [`counts file is not valid JSON: ${(e as Error).message}`] };
    }
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      if (!/^.+:\d+$/.test(k) || typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) warnings.push(`ignored counts entry ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
      else counts.set(k, v);
    }
    return { counts, warnings };
  }
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.replace(/#.*/, '').trim();
    if (!l) return;
    const m = /^(.+:\d+)[\s,=]+(\d+)$/.exec(l);
    if (!m) warnings.push(`counts line ${i + 1} not understood: ${raw.trim()}`);
    else counts.set(m[1], Number(m[2]));
  });
  return { counts, warnings };
}

/** A percpu_alloc_percpu event of a trace (sim/trace.ts reads every percpu:* event). */
export type TraceEvent = Extract<TraceOp, { kind: 'alloc' }>;

/** The percpu:* events of /sys/kernel/tracing/trace (any era's field set), and the allocations among them. */
export function parseTrace(text: string): { ops: TraceOp[]; events: TraceEvent[]; warnings: string[] } {
  const { ops, warnings } = parsePercpuTrace(text);
  return { ops, events: ops.filter((o): o is TraceEvent => o.kind === 'alloc'), warnings };
}

export interface CallsiteRef {
  file: string;
  line: number;
  func?: string;
  size?: number;
  /** a caller's site: the trace names the called function, which allocates */
  callee?: { func: string };
}

/**
 * Attribute trace events to call sites: by enclosing function, then by size when a function has
 * several sites. Module loads (reserved=1) are static data, not call sites.
 */
export function countsFromTrace(events: TraceEvent[], sites: CallsiteRef[], inlined?: Map<string, CallsiteRef[]>): { counts: Counts; unmatched: { func: string; size: number; count: number }[]; attributedBytes: number; tracedBytes: number } {
  const counts: Counts = new Map();
  const byFunc = new Map<string, CallsiteRef[]>();
  for (const s of sites) {
    const f = s.callee?.func ?? s.func;
    if (f) (byFunc.get(f) ?? byFunc.set(f, []).get(f)!).push(s);
  }
  const miss = new Map<string, { func: string; size: number; count: number }>();
  const choose = (cands: CallsiteRef[], e: TraceEvent): CallsiteRef | undefined => {
    const aligned4 = Math.ceil(e.size / 4) * 4;
    const runTime = cands.filter((c) => c.size === undefined);
    // no site of that size: the one whose size only the run knows
    return cands.length === 1 ? cands[0] : cands.find((c) => c.size === e.size) ?? cands.find((c) => c.size !== undefined && Math.ceil(c.size / 4) * 4 === aligned4) ??
      (runTime.length === 1 ? runTime[0] : undefined);
  };
  let attributedBytes = 0;
  let tracedBytes = 0;
  for (const e of events) {
    if (e.reserved) continue;
    tracedBytes += e.size;
    // the function's own sites, else those of the functions gcc inlined into it
    const pick = choose(byFunc.get(e.func) ?? [], e) ?? choose(inlined?.get(e.func) ?? [], e);
    if (pick) {
      const k = key(pick.file, pick.line);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      attributedBytes += e.size;
    } else {
      const mk = `${e.func}|${e.size}`;
      const m = miss.get(mk) ?? { func: e.func || '(no call_site)', size: e.size, count: 0 };
      m.count++;
      miss.set(mk, m);
    }
  }
  return { counts, unmatched: [...miss.values()].sort((a, b) => b.count * b.size - a.count * a.size), attributedBytes, tracedBytes };
}
