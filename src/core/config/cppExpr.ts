// #if / #elif conditions: defined(), IS_ENABLED/IS_BUILTIN/IS_MODULE/IS_REACHABLE (handled here
// rather than through kconfig.h's placeholder trick so they work without a tree), __has_attribute,
// __has_builtin, then macro expansion and integer evaluation with unknown identifiers as 0.
import { KConfig, configMacros } from './kconfig';
import { Tok, tokenize, stripComments } from './lex';
import { MacroDef, MacroLookup, expand, objectMacro, ExpandError } from './macros';
import { evalTokens, ExprError } from './intExpr';

// attributes gcc 12 knows (kernel headers test these with __has_attribute)
const GCC_ATTRS = new Set(('aligned packed section used unused weak alias noinline always_inline cold hot ' +
  'const pure noreturn format format_arg nonnull returns_nonnull malloc warn_unused_result deprecated ' +
  'visibility designated_init externally_visible fallthrough error warning no_instrument_function ' +
  'no_stack_protector no_sanitize_address no_sanitize_undefined no_sanitize copy gnu_inline mode ' +
  'noclone no_profile_instrument_function nonstring optimize alloc_size assume_aligned cleanup ' +
  'access vector_size transparent_union may_alias designated_init __nonstring__ patchable_function_entry ' +
  'zero_call_used_regs no_reorder tainted_args')
  .split(/\s+/));
const GCC_BUILTINS_NO = new Set(['__builtin_dynamic_object_size', '__builtin_counted_by_ref']);

function hasName(args: Tok[][]): string {
  return (args[0] ?? []).map((t) => t.t).join('').replace(/^__(.*)__$/, '$1');
}

const n = (v: number): Tok[] => [{ k: 'num', t: String(v) }];

/** Built-in condition helpers; cfgOf answers 'y' | 'm' | other value | undefined for CONFIG_ names. */
export function conditionBuiltins(cfgOf: (name: string) => string | undefined) {
  const fns = new Set(['IS_ENABLED', 'IS_BUILTIN', 'IS_MODULE', 'IS_REACHABLE', '__has_attribute', '__has_builtin', '__has_include', '__has_include_next', '__has_cpp_attribute', '__has_c_attribute']);
  const builtin = (name: string, args: Tok[][] | undefined): Tok[] | undefined => {
    if (!args) return undefined;
    const a = (args[0] ?? []).map((t) => t.t).join('');
    const v = cfgOf(a);
    switch (name) {
      case 'IS_BUILTIN': return n(v === 'y' ? 1 : 0);
      case 'IS_MODULE': return n(v === 'm' ? 1 : 0);
      case 'IS_ENABLED': case 'IS_REACHABLE': return n(v === 'y' || v === 'm' ? 1 : 0);
      case '__has_attribute': return n(GCC_ATTRS.has(hasName(args)) ? 1 : 0);
      case '__has_builtin': return n(a.startsWith('__builtin_') && !GCC_BUILTINS_NO.has(a) ? 1 : 0);
      case '__has_cpp_attribute': case '__has_c_attribute': return n(0);
      case '__has_include': case '__has_include_next': throw new ExpandError('__has_include is not evaluated');
    }
    return undefined;
  };
  return { builtin, builtinFns: fns };
}

/** Replace `defined X` / `defined(X)` before expansion (C11 6.10.1). */
export function replaceDefined(toks: Tok[], isDefined: (name: string) => boolean): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.k === 'id' && t.t === 'defined') {
      let name: string | undefined;
      if (toks[i + 1]?.t === '(' && toks[i + 3]?.t === ')') { name = toks[i + 2].t; i += 3; }
      else if (toks[i + 1]?.k === 'id') { name = toks[i + 1].t; i += 1; }
      if (name === undefined) throw new ExprError('bad defined()');
      out.push(...n(isDefined(name) ? 1 : 0));
    } else out.push(t);
  }
  return out;
}

/** Evaluate tokens of a condition against a full macro lookup (what the file scanner uses). */
export function evalConditionTokens(toks: Tok[], lookup: MacroLookup, cfgOf: (name: string) => string | undefined): boolean | { error: string } {
  try {
    const d = replaceDefined(toks, (x) => lookup(x) !== undefined);
    const e = expand(d, lookup, conditionBuiltins(cfgOf));
    return evalTokens(e, { ppMode: true }).v !== 0n;
  } catch (err) {
    if (err instanceof ExprError || err instanceof ExpandError) return { error: err.message };
    throw err;
  }
}

/** `cfgOf` for a KConfig: 'y', 'm', or the raw value of a CONFIG_ symbol. */
export function configLookup(cfg: KConfig): (name: string) => string | undefined {
  return (name) => cfg.values.get(name);
}

export function evalCondition(expr: string, cfg: KConfig, macros?: (name: string) => string | undefined): boolean | { error: string } {
  const cm = configMacros(cfg);
  const cache = new Map<string, MacroDef | undefined>();
  const lookup: MacroLookup = (name) => {
    if (cache.has(name)) return cache.get(name);
    let d: MacroDef | undefined;
    const c = cm.get(name);
    if (c !== undefined) d = objectMacro(name, c, cfg.source);
    else {
      const m = macros?.(name);
      if (m !== undefined) d = objectMacro(name, m, 'caller');
    }
    cache.set(name, d);
    return d;
  };
  return evalConditionTokens(tokenize(stripComments(expr)), lookup, configLookup(cfg));
}
