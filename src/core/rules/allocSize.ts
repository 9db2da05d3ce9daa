// Bytes per CPU of an alloc_percpu-family call, as pcpu_alloc sees them: the type's size, or the
// size expression of __alloc_percpu when it is a product of sizeof()s and numbers; rounded up to
// PCPU_MIN_ALLOC_SIZE (4 bytes). Undefined when it cannot be computed.
import type { Finding } from '../parse/types';
import { alignUp, dimValue, isSized } from './sizing';
import type { RuleProfile, SizeOf } from './types';

function typeSize(t: string, p: RuleProfile, sizeOf: SizeOf, file: string): number | undefined {
  const ty = t.replace(/\s+/g, ' ').trim();
  if (/\*$/.test(ty)) return p.ptrSize;
  const arr = /^(.*?)\s*\[([^\]]+)\]$/.exec(ty);
  if (arr) {
    const n = dimValue(arr[2], p, sizeOf, file);
    const e = typeSize(arr[1], p, sizeOf, file);
    return n !== undefined && e !== undefined ? n * e : undefined;
  }
  const r = sizeOf(ty, file);
  return isSized(r) ? r.size : undefined;
}

/** Value of `sizeof(T)`, `N * sizeof(T)`, `sizeof(T) * N`, literals and macros sizeOf can evaluate. */
export function sizeExprValue(e: string, p: RuleProfile, sizeOf: SizeOf, file: string): number | undefined {
  let v = 1;
  for (const part of e.split('*').map((x) => x.trim())) {
    if (!part) return undefined;
    const so = /^sizeof\s*\((.*)\)$/.exec(part) ?? /^sizeof\s+(\w+)$/.exec(part);
    const n = so ? typeSize(so[1], p, sizeOf, file) : /^\(?\s*(\w+)\s*\)?$/.test(part) ? dimValue(part.replace(/[()]/g, ''), p, sizeOf, file) : undefined;
    if (n === undefined) return undefined;
    v *= n;
  }
  return v;
}

export function allocBytes(f: Finding, p: RuleProfile, sizeOf: SizeOf): number | undefined {
  let n: number | undefined;
  if (f.sizeExpr) n = sizeExprValue(f.sizeExpr, p, sizeOf, f.file);
  else if (f.type) n = typeSize(f.type, p, sizeOf, f.file);
  return n === undefined || n <= 0 ? undefined : alignUp(n, 4);
}
