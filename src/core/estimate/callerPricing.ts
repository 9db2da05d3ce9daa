// An alloc_percpu site whose size is a parameter of its function (lib/percpu_counter.c's
// `nr_counters * counter_size` in __percpu_counter_init_many) is priced once per call of that
// function in the built files, with that caller's arguments folded where the caller stands
// (enums, sizeof, macros, .config, the caller's own constant locals): one site per caller, at the
// caller's file:line. A caller that passes a value only the running kernel has is named in the
// reason the site stays unresolved.
import type { Finding } from '../parse/types';
import { priceFinding, type Session } from './session';
import { memberChains, siteScope, withArguments, type SiteScope } from './siteScope';
import type { Call } from './callers';
import type { Callsite } from './types';

/** Whether an unresolved site's reason is a variable its function's parameters decide. */
export function dependsOnParameters(error: string, scope: SiteScope): boolean {
  const m = /known only at run time: (\w+) is /.exec(error);
  return !!m && scope.params.length > 0 && scope.fromParams(m[1]);
}

export interface CallerPrices {
  sites: Callsite[];
  /** callers whose arguments leave the size open, with the reason */
  runTime: Array<{ call: Call; reason: string }>;
}

/** The parameters the site's size and alignment read, directly or through the locals computed from them. */
function parametersRead(f: Finding, scope: SiteScope): string[] {
  const seen = new Set<string>();
  const visit = (text: string | undefined, depth: number) => {
    for (const m of (text ?? '').matchAll(/\b[A-Za-z_]\w*\b/g)) {
      if (seen.has(m[0])) continue;
      seen.add(m[0]);
      // a pointer's value is an address (the allocation's own result): what it points to is not read
      if (depth < 5 && !scope.typeOf(m[0])?.includes('*')) visit(scope.valueAt?.(m[0]), depth + 1);
    }
    // a member the function stored before the site (`new->cache_size = size`)
    if (depth < 5) for (const chain of memberChains(text ?? '')) visit(scope.memberAt?.(chain), depth + 1);
  };
  for (const e of [f.sizeExpr, f.alignExpr, f.type]) visit(e, 0);
  return scope.params.filter((p): p is string => p !== undefined && seen.has(p));
}

/** `f` (an alloc site in `scope`'s function) priced at each of `calls` (calls of that function). */
export async function priceAtCallers(s: Session, f: Finding, scope: SiteScope, calls: readonly Call[], textOf: (file: string) => string | undefined): Promise<CallerPrices> {
  const out: CallerPrices = { sites: [], runTime: [] };
  const read = parametersRead(f, scope);
  for (const call of calls) {
    // each argument folded at the caller: bare first, then with the variables the caller sees
    let callerScope: Awaited<ReturnType<typeof siteScope>> | null = null;
    const values = new Map<string, { value?: string; why?: string }>();
    for (let i = 0; i < scope.params.length; i++) {
      const p = scope.params[i];
      const arg = call.args[i];
      if (p === undefined || arg === undefined || !arg) continue;
      let v = s.sizer.evalInt(arg, call.file);
      if (typeof v !== 'number') {
        if (callerScope === null) { const t = textOf(call.file); callerScope = t === undefined ? undefined : await siteScope(t, call.line, call.file); }
        if (callerScope) v = s.sizer.evalInt(arg, call.file, callerScope);
      }
      values.set(p, typeof v === 'number' ? { value: String(v) } : { why: v.error.replace(/^known only at run time: /, '') });
    }
    const at = `${call.caller ? `${call.caller}() at ` : ''}${call.file}:${call.line}`;
    const args = withArguments(scope, (p) => values.get(p)?.value, (p) => {
      const i = scope.params.indexOf(p);
      const why = values.get(p)?.why;
      return `passed as \`${call.args[i] ?? '?'}\` by ${at}${why ? ` (${why})` : ''}`;
    });
    const pr = priceFinding(s, f, { scope: args });
    if ('error' in pr) { out.runTime.push({ call, reason: pr.error }); continue; }
    if (pr.kind !== 'alloc') continue;
    out.sites.push({
      file: call.file, line: call.line, ...(call.caller ? { func: call.caller } : {}), callee: { file: f.file, line: f.line, func: scope.func },
      expr: `${scope.func}(${read.map((p) => `${p}=${values.get(p)?.value ?? '?'}`).join(', ')}) -> ${pr.expr}`, size: pr.size, align: pr.align, count: 1, total: 0, countSource: 'default',
    });
  }
  return out;
}
