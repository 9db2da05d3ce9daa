// Tree-sitter AST (of macro-expanded C) → TInfo. Declarators are applied inside-out as C reads
// them; attributes are interpreted as gcc does (aligned raises, packed drops member alignment,
// aligned on a typedef sets the alignment both ways); anything else is a LayoutError with a reason.
import type { ArchProfile, ScalarName } from '../config/arch';
import type { Node } from '../parse/treeSitter';
import { layoutRecord, FieldIn, TInfo, MemberOut } from './record';

export class LayoutError extends Error {}

/** prefix of the names given to unnamed bit-fields before parsing (see nameUnnamedBitfields) */
export const UNNAMED_BITFIELD = '__percpu_lens_unnamed_';

interface Lazy { name: string; get(): TInfo }
const eager = (t: TInfo): Lazy => ({ name: t.name, get: () => t });

export interface WalkCtx {
  arch: ArchProfile;
  typedef(name: string): TInfo;
  tagged(kind: 'struct' | 'union' | 'enum', tag: string): TInfo;
  /** evaluate an integer expression given as (already expanded) C text */
  evalInt(text: string): bigint;
  /** the same, with enum constants of the enum being defined visible */
  evalIntWith(text: string, local: Map<string, bigint>): bigint;
  /** record an enum's constants computed while walking its body */
  enumConsts?(values: Map<string, bigint>): void;
}

export interface Attrs { aligned?: number; packed?: boolean; mode?: string }

const DECLARATORS = new Set(['field_identifier', 'identifier', 'type_identifier', 'pointer_declarator', 'array_declarator',
  'function_declarator', 'parenthesized_declarator', 'attributed_declarator', 'abstract_pointer_declarator',
  'abstract_array_declarator', 'abstract_function_declarator', 'abstract_parenthesized_declarator']);

const PRIMITIVE: Record<string, [ScalarName, boolean]> = {
  char: ['char', false], int: ['int', false], float: ['float', false], double: ['double', false], _Bool: ['_Bool', true], bool: ['_Bool', true],
  size_t: ['long', true], ssize_t: ['long', false], ptrdiff_t: ['long', false], intptr_t: ['long', false], uintptr_t: ['long', true],
  int8_t: ['char', false], uint8_t: ['char', true], int16_t: ['short', false], uint16_t: ['short', true],
  int32_t: ['int', false], uint32_t: ['int', true], int64_t: ['long long', false], uint64_t: ['long long', true],
  char16_t: ['short', true], char32_t: ['int', true], char8_t: ['char', true], __int128: ['__int128', false],
};

export function scalar(arch: ArchProfile, n: ScalarName, unsigned: boolean, name: string): TInfo {
  const s = arch.scalars[n];
  if (!s.size) throw new LayoutError(`${name} is not available on ${arch.name}`);
  const kind = n === 'float' || n === 'double' || n === 'long double' ? 'float' : n === 'pointer' ? 'ptr' : 'int';
  return { kind, size: s.size, align: s.align, fieldAlign: s.memberAlign ?? s.align, userAlign: false, unsigned, name };
}

export const pointer = (arch: ArchProfile, name = 'void *'): TInfo => scalar(arch, 'pointer', true, name);

export function isPrimitiveName(n: string): boolean { return n in PRIMITIVE || n === 'void'; }

function withFallback(t: TInfo, from: TInfo[]): TInfo {
  let fb: Set<string> | undefined;
  for (const f of from) if (f.fallback?.size) { fb ??= new Set(t.fallback ?? []); for (const x of f.fallback) fb.add(x); }
  return fb ? { ...t, fallback: fb } : t;
}

export class Walker {
  constructor(private c: WalkCtx) {}

  err(node: Node, why: string): never {
    throw new LayoutError(`${why}: \`${node.text.replace(/\s+/g, ' ').slice(0, 80)}\``);
  }

  checkErrors(node: Node): void {
    if (!node.hasError) return;
    const bad = (n: Node): Node | undefined => {
      if (n.isError || n.isMissing) return n;
      for (const ch of n.children) { if (ch && (ch.hasError || ch.isMissing || ch.isError)) { const b = bad(ch); if (b) return b; } }
      return undefined;
    };
    const b = bad(node) ?? node;
    if (b.isMissing && b.type === 'field_identifier') return; // unnamed bit-field: handled by the caller
    this.err(b.parent ?? b, 'cannot parse');
  }

  attrs(nodes: Node[]): Attrs {
    const a: Attrs = {};
    for (const n of nodes) {
      if (n.type === 'type_qualifier' || n.type === 'alignas_qualifier') {
        const q = n.type === 'alignas_qualifier' ? n : n.namedChildren.find((x) => x?.type === 'alignas_qualifier');
        if (q) {
          const arg = q.namedChildren[0]!;
          const v = arg.type === 'type_descriptor' ? this.descriptor(arg).align : Number(this.c.evalInt(arg.text));
          a.aligned = Math.max(a.aligned ?? 0, v);
        }
        continue;
      }
      if (n.type !== 'attribute_specifier') continue;
      const list = n.namedChildren.find((x) => x?.type === 'argument_list');
      for (const item of list?.namedChildren ?? []) {
        if (!item) continue;
        let name: string;
        let args: Node[] = [];
        if (item.type === 'identifier') name = item.text;
        else if (item.type === 'call_expression') {
          name = item.childForFieldName('function')!.text;
          args = (item.childForFieldName('arguments')?.namedChildren ?? []).filter((x): x is Node => !!x);
        } else continue;
        name = name.replace(/^__(.*)__$/, '$1');
        if (name === 'packed') a.packed = true;
        else if (name === 'aligned') {
          const v = args.length ? Number(this.c.evalInt(args[0].text)) : this.c.arch.biggestAlignment;
          if (!(v > 0 && (v & (v - 1)) === 0)) this.err(item, 'requested alignment is not a power of 2');
          a.aligned = Math.max(a.aligned ?? 0, v);
        } else if (name === 'mode') a.mode = args[0]?.text.replace(/^__(.*)__$/, '$1');
        else if (name === 'vector_size' || name === 'scalar_storage_order') this.err(item, `attribute ${name} is not supported`);
      }
    }
    return a;
  }

  /** a specifier resolved only when needed, so `struct self *next` does not recurse */
  lazy(n: Node): Lazy {
    const named = (n.type === 'struct_specifier' || n.type === 'union_specifier' || n.type === 'enum_specifier') && !n.childForFieldName('body');
    if (named || (n.type === 'type_identifier' && !n.text.startsWith('__int128') && n.text !== '__uint128_t')) {
      let t: TInfo | undefined;
      return { name: n.text, get: () => (t ??= this.spec(n)) };
    }
    const t = this.spec(n);
    return { name: t.name, get: () => t };
  }

  /** the type named by a specifier node */
  spec(n: Node): TInfo {
    const arch = this.c.arch;
    switch (n.type) {
      case 'primitive_type': {
        if (n.text === 'void') return { kind: 'void', size: 1, align: 1, fieldAlign: 1, userAlign: false, name: 'void' };
        const p = PRIMITIVE[n.text];
        if (!p) this.err(n, 'unknown primitive type');
        return scalar(arch, p[0], p[1] || (n.text === 'char' && !arch.charSigned), n.text);
      }
      case 'sized_type_specifier': {
        const words = n.children.filter((x): x is Node => !!x).map((x) => x.text);
        const base = n.childForFieldName('type')?.text;
        const longs = words.filter((w) => w === 'long').length;
        const uns = words.includes('unsigned');
        const name = words.join(' ');
        if (base === 'double') return scalar(arch, longs ? 'long double' : 'double', false, name);
        if (base === 'char') return scalar(arch, 'char', uns || (!words.includes('signed') && !arch.charSigned), name);
        if (base && base !== 'int') {
          if (base === '__int128') return scalar(arch, '__int128', uns, name);
          this.err(n, 'unsupported type');
        }
        if (words.includes('short')) return scalar(arch, 'short', uns, name);
        return scalar(arch, longs >= 2 ? 'long long' : longs === 1 ? 'long' : 'int', uns, name);
      }
      case 'type_identifier':
        if (n.text in PRIMITIVE) { const p = PRIMITIVE[n.text]; return scalar(arch, p[0], p[1], n.text); }
        if (n.text === '__int128' || n.text === '__int128_t') return scalar(arch, '__int128', false, n.text);
        if (n.text === '__uint128_t') return scalar(arch, '__int128', true, n.text);
        return this.c.typedef(n.text);
      case 'struct_specifier': case 'union_specifier': {
        const kind = n.type === 'struct_specifier' ? 'struct' : 'union';
        const body = n.childForFieldName('body');
        const tag = n.childForFieldName('name')?.text;
        if (!body) {
          if (!tag) this.err(n, 'anonymous record without body');
          return this.c.tagged(kind, tag);
        }
        return this.record(n, kind, tag);
      }
      case 'enum_specifier': {
        const body = n.childForFieldName('body');
        const tag = n.childForFieldName('name')?.text;
        if (!body) { if (!tag) this.err(n, 'anonymous enum without body'); return this.c.tagged('enum', tag); }
        return this.enumType(n, tag);
      }
      case 'macro_type_specifier': {
        const fn = n.childForFieldName('name')?.text;
        const td = n.childForFieldName('type');
        if ((fn === 'typeof' || fn === '__typeof__' || fn === '__typeof') && td) return this.descriptor(td);
        if ((fn === '_Atomic') && td) return this.descriptor(td);
        return this.err(n, 'unsupported type macro');
      }
    }
    return this.err(n, `unsupported type (${n.type})`);
  }

  descriptor(td: Node): TInfo {
    this.checkErrors(td);
    const t = this.lazy(td.childForFieldName('type')!);
    const d = td.childForFieldName('declarator');
    return d ? this.declare(t, d).type : t.get();
  }

  /** apply a (possibly abstract) declarator to a base type, inside-out */
  declare(lz: Lazy, d: Node): { type: TInfo; name?: string } {
    const arch = this.c.arch;
    switch (d.type) {
      case 'field_identifier': case 'identifier': case 'type_identifier':
        return { type: lz.get(), name: d.isMissing || d.text.startsWith(UNNAMED_BITFIELD) ? undefined : d.text };
      case 'pointer_declarator': case 'abstract_pointer_declarator': {
        const inner = d.childForFieldName('declarator');
        // a pointer to an anonymous struct keeps its target: `*p` has no name to look it up by (the
        // tree is gone after the walk, so it is read now; a named target is looked up by name)
        let target: TInfo | undefined;
        if (lz.name.includes('{')) { try { target = lz.get(); } catch { target = undefined; } }
        const p: TInfo = { ...pointer(arch, `${lz.name} *`), ...(target ? { target: () => target! } : {}) };
        return inner ? this.declare(eager(p), inner) : { type: p };
      }
      case 'parenthesized_declarator': case 'abstract_parenthesized_declarator': {
        const inner = d.namedChildren.find((x) => x && DECLARATORS.has(x.type));
        return inner ? this.declare(lz, inner) : { type: lz.get() };
      }
      case 'attributed_declarator': {
        const inner = d.namedChildren.find((x) => x && DECLARATORS.has(x.type));
        return inner ? this.declare(lz, inner) : { type: lz.get() };
      }
      case 'function_declarator': case 'abstract_function_declarator': {
        const inner = d.childForFieldName('declarator');
        // the parameters stay in the spelling so a hover prints the declaration as C writes it
        const params = (d.childForFieldName('parameters')?.text ?? '()').replace(/\s+/g, ' ').replace(/\s*,\s*/g, ', ')
          .replace(/\s*(\*+)\s*/g, ' $1').replace(/\(\s+/g, '(').replace(/\s+\)/g, ')');
        const f: TInfo = { kind: 'func', size: 1, align: 1, fieldAlign: 1, userAlign: false, name: `${lz.name} ${params}` };
        return inner ? this.declare(eager(f), inner) : { type: f };
      }
      case 'array_declarator': case 'abstract_array_declarator': {
        const inner = d.childForFieldName('declarator');
        const sz = d.childForFieldName('size');
        const base = lz.get();
        if (base.kind === 'void' || base.kind === 'func') this.err(d, 'array of void or functions');
        if (base.flex) this.err(d, 'array of flexible arrays');
        let count: number | undefined;
        if (sz) {
          const v = this.c.evalInt(sz.text);
          if (v < 0n) this.err(d, 'negative array size');
          count = Number(v);
        }
        if (base.size % base.align !== 0 && (count === undefined || count > 0)) this.err(d, 'alignment of array elements is greater than element size');
        const a: TInfo = withFallback({
          kind: 'array', size: base.size * (count ?? 0), align: base.align, fieldAlign: base.fieldAlign, userAlign: base.userAlign,
          elem: base, count, flex: count === undefined, name: arrayName(base, count), members: base.members,
        }, [base]);
        return inner ? this.declare(eager(a), inner) : { type: a };
      }
    }
    return this.err(d, `unsupported declarator (${d.type})`);
  }

  /** typedef: the aligned attribute sets the alignment (both ways), mode() replaces the type */
  typedefType(def: Node, want: string): TInfo | undefined {
    this.checkErrors(def);
    const ty = def.childForFieldName('type');
    if (!ty) this.err(def, 'typedef without a type');
    const base = this.lazy(ty);
    const kids = def.children.filter((x): x is Node => !!x);
    const tyIdx = kids.indexOf(ty);
    const common = kids.filter((k, i) => i < tyIdx && (k.type === 'attribute_specifier' || k.type === 'type_qualifier'));
    let cur: { d: Node; attrs: Node[] } | undefined;
    const decls: Array<{ d: Node; attrs: Node[] }> = [];
    kids.forEach((k, i) => {
      if (i <= tyIdx) return;
      if (def.fieldNameForChild(i) === 'declarator') { cur = { d: k, attrs: [] }; decls.push(cur); }
      else if (k.type === 'attribute_specifier') (cur ? cur.attrs : common).push(k);
    });
    for (const { d, attrs } of decls) {
      const r = this.declare(base, d);
      if (r.name !== want) continue;
      let t: TInfo = { ...r.type, name: want };
      const a = this.attrs([...common, ...attrs]);
      if (a.mode) t = this.modeType(a.mode, t);
      if (a.aligned) t = { ...t, align: a.aligned, fieldAlign: a.aligned, userAlign: true };
      return t;
    }
    return undefined;
  }

  modeType(mode: string, t: TInfo): TInfo {
    const sizes: Record<string, number> = { QI: 1, HI: 2, SI: 4, DI: 8, TI: 16, byte: 1, word: this.c.arch.scalars.long.size, pointer: this.c.arch.scalars.pointer.size };
    const sz = sizes[mode];
    if (!sz) throw new LayoutError(`unsupported mode(${mode})`);
    const n: ScalarName = sz === 1 ? 'char' : sz === 2 ? 'short' : sz === 4 ? 'int' : sz === 8 ? 'long long' : '__int128';
    return { ...scalar(this.c.arch, n, !!t.unsigned, t.name) };
  }

  record(n: Node, kind: 'struct' | 'union', tag?: string): TInfo {
    this.checkErrors(n.childForFieldName('body')!);
    const recAttrs = this.attrs(n.children.filter((x): x is Node => !!x && x.type === 'attribute_specifier'));
    const fields: FieldIn[] = [];
    const used: TInfo[] = [];
    for (const fd of n.childForFieldName('body')!.namedChildren) {
      if (!fd || fd.type === 'comment') continue;
      if (fd.type !== 'field_declaration') this.err(fd, `unexpected ${fd.type} in ${kind}`);
      fields.push(...this.fieldDecl(fd, recAttrs.packed ?? false, used));
    }
    const name = tag ? `${kind} ${tag}` : `${kind} {...}`;
    fields.forEach((f, i) => {
      if (f.type.flex && (kind === 'union' || i !== fields.length - 1)) throw new LayoutError(`${name}: flexible array member ${f.name} not at end of struct`);
      if (f.type.kind === 'void' || f.type.kind === 'func') throw new LayoutError(`${name}: member ${f.name} has incomplete type ${f.type.name}`);
    });
    const r = layoutRecord(fields, { union: kind === 'union', packed: recAttrs.packed ?? false, alignAttr: recAttrs.aligned }, this.c.arch);
    // what the type would cost without its own aligned attribute (PCPU001, PCPU004)
    const own = recAttrs.aligned ? { ownAlign: recAttrs.aligned, bareSize: layoutRecord(fields, { union: kind === 'union', packed: recAttrs.packed ?? false }, this.c.arch).size } : {};
    // members of anonymous sub-records keep their own entries for offsetof()
    const placed = fields.filter((f) => !(f.bits !== undefined && !f.name));
    const members: MemberOut[] = r.members;
    const t: TInfo = { kind: 'record', size: r.size, align: r.align, fieldAlign: r.align, userAlign: r.userAlign, members, name,
      memberTypes: placed.map((f) => f.type), ...own };
    return withFallback(t, used);
  }

  private fieldDecl(fd: Node, structPacked: boolean, used: TInfo[]): FieldIn[] {
    const kids = fd.children.filter((x): x is Node => !!x);
    const ty = fd.childForFieldName('type');
    if (!ty) this.err(fd, 'member without a type');
    const base = this.lazy(ty);
    const tyIdx = kids.indexOf(ty);
    const common: Node[] = kids.filter((k, i) => i < tyIdx && (k.type === 'attribute_specifier' || k.type === 'type_qualifier'));
    const entries: Array<{ d?: Node; bits?: Node; attrs: Node[] }> = [];
    let cur: { d?: Node; bits?: Node; attrs: Node[] } | undefined;
    kids.forEach((k, i) => {
      if (i <= tyIdx) return;
      if (fd.fieldNameForChild(i) === 'declarator') { cur = { d: k, attrs: [] }; entries.push(cur); }
      else if (k.type === 'bitfield_clause') {
        if (!cur || cur.bits) { cur = { attrs: [] }; entries.push(cur); }
        cur.bits = k.namedChildren[0] ?? undefined;
      } else if (k.type === 'attribute_specifier') (cur ? cur.attrs : common).push(k);
      else if (k.type === ',') cur = undefined;
      else if (k.type === 'ERROR') this.err(k, 'cannot parse member');
    });
    if (entries.length === 0) {
      // an anonymous struct/union member (a tagged one without declarator declares nothing)
      if ((ty.type === 'struct_specifier' || ty.type === 'union_specifier') && !ty.childForFieldName('name')) {
        const a = this.attrs(common);
        return [{ name: '', type: base.get(), packed: structPacked || !!a.packed, alignAttr: a.aligned }];
      }
      return [];
    }
    const out: FieldIn[] = [];
    for (const e of entries) {
      const r = e.d ? this.declare(base, e.d) : { type: base.get(), name: undefined };
      const a = this.attrs([...common, ...e.attrs]);
      let type = r.type;
      if (a.mode) type = this.modeType(a.mode, type);
      used.push(type);
      const f: FieldIn = { name: r.name, type, packed: structPacked || !!a.packed, alignAttr: a.aligned };
      if (e.bits) {
        if (type.kind !== 'int' && type.kind !== 'enum') this.err(fd, 'bit-field with non-integer type');
        const w = Number(this.c.evalInt(e.bits.text));
        if (w < 0 || w > type.size * 8) this.err(fd, 'bad bit-field width');
        f.bits = w;
      }
      out.push(f);
    }
    return out;
  }

  enumType(n: Node, tag?: string): TInfo {
    this.checkErrors(n);
    const a = this.attrs(n.children.filter((x): x is Node => !!x && x.type === 'attribute_specifier'));
    const values = new Map<string, bigint>();
    let next = 0n;
    let min = 0n;
    let max = 0n;
    for (const e of n.childForFieldName('body')!.namedChildren) {
      if (!e || e.type !== 'enumerator') continue;
      const name = e.childForFieldName('name')!.text;
      const v = e.childForFieldName('value');
      const val = v ? this.c.evalIntWith(v.text, values) : next;
      values.set(name, val);
      next = val + 1n;
      if (val < min) min = val;
      if (val > max) max = val;
    }
    this.c.enumConsts?.(values);
    const arch = this.c.arch;
    let sn: ScalarName;
    if (a.packed) sn = fits(min, max, 8) ? 'char' : fits(min, max, 16) ? 'short' : fits(min, max, 32) ? 'int' : 'long long';
    else sn = fits(min, max, 32) ? 'int' : 'long long';
    const t = scalar(arch, sn, min >= 0n, tag ? `enum ${tag}` : 'enum {...}');
    const out: TInfo = { ...t, kind: 'enum' };
    if (a.aligned) { out.align = Math.max(out.align, a.aligned); out.fieldAlign = Math.max(out.fieldAlign, a.aligned); out.userAlign = true; }
    return out;
  }
}

function fits(min: bigint, max: bigint, bits: number): boolean {
  const b = BigInt(bits);
  if (min < 0n) return min >= -(1n << (b - 1n)) && max < (1n << (b - 1n));
  return max < (1n << b);
}

function arrayName(base: TInfo, count: number | undefined): string {
  const m = /^(.*?)((?:\[\d*\])*)$/.exec(base.name)!;
  return `${m[1]}[${count ?? ''}]${m[2]}`;
}
