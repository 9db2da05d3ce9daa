// How many times each alloc_percpu call site runs. Default 1; a counts file overrides it; a trace
// of the kernel's percpu:percpu_alloc_percpu tracepoint gives real numbers from a running system.

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

export interface TraceEvent {
  /** function part of call_site=func+0xoff/0xlen ('' for kernels whose event has no call_site) */
  func: string;
  size: number;
  align: number;
  reserved: boolean;
  bytesAlloc?: number;
}

/** Lines of /sys/kernel/tracing/trace for percpu_alloc_percpu (any era's field set). */
export function parseTrace(text: string): { events: TraceEvent[]; warnings: string[] } {
  const events: TraceEvent[] = [];
  const warnings: string[] = [];
  let bad = 0;
  for (const raw of text.split(/\r?\n/)) {
    const i = raw.indexOf('percpu_alloc_percpu:');
    if (i < 0) continue;
    const fields = new Map<string, string>();
    for (const m of raw.slice(i + 20).matchAll(/(\w+)=(\S+)/g)) fields.set(m[1], m[2]);
    const size = Number(fields.get('size'));
    if (!Number.isFinite(size)) {
      bad++;
      continue;
    }
    const cs = fields.get('call_site') ?? '';
    events.push({
      func: cs.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/i, '').replace(/\s.*$/, ''),
      size,
      align: Number(fields.get('align') ?? 0),
      reserved: fields.get('reserved') === '1',
      ...(fields.has('bytes_alloc') ? { bytesAlloc: Number(fields.get('bytes_alloc')) } : {}),
    });
  }
  if (bad) warnings.push(`${bad} percpu_alloc_percpu line(s) without a size were skipped`);
  return { events, warnings };
}

export interface CallsiteRef {
  file: string;
  line: number;
  func?: string;
  size?: number;
}

/**
 * Attribute trace events to call sites: by enclosing function, then by size when a function has
 * several sites. Module loads (reserved=1) are static data, not call sites.
 */
export function countsFromTrace(events: TraceEvent[], sites: CallsiteRef[]): { counts: Counts; unmatched: { func: string; size: number; count: number }[] } {
  const counts: Counts = new Map();
  const byFunc = new Map<string, CallsiteRef[]>();
  for (const s of sites) if (s.func) (byFunc.get(s.func) ?? byFunc.set(s.func, []).get(s.func)!).push(s);
  const miss = new Map<string, { func: string; size: number; count: number }>();
  for (const e of events) {
    if (e.reserved) continue;
    const cands = byFunc.get(e.func) ?? [];
    const aligned4 = Math.ceil(e.size / 4) * 4;
    const pick =
      cands.length === 1 ? cands[0] : cands.find((c) => c.size === e.size) ?? cands.find((c) => c.size !== undefined && Math.ceil(c.size / 4) * 4 === aligned4);
    if (pick) {
      const k = key(pick.file, pick.line);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    } else {
      const mk = `${e.func}|${e.size}`;
      const m = miss.get(mk) ?? { func: e.func || '(no call_site)', size: e.size, count: 0 };
      m.count++;
      miss.set(mk, m);
    }
  }
  return { counts, unmatched: [...miss.values()].sort((a, b) => b.count * b.size - a.count * a.size) };
}
