// Random GNU C type definitions for the layout-vs-gcc test: structs, unions, nesting, anonymous
// members, multi-dim / zero-length / flexible arrays, bit-fields (incl. :0 and straddling), enums,
// pointers, function pointers, typedef chains, aligned/packed on members and types, and constant
// expressions (#define, sizeof, ?:, shifts) in array sizes. Only valid C that gcc accepts is made.

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Named { text: string; noArray: boolean; hasFlex: boolean; members: string[] }
export interface Generated { source: string; types: Array<{ name: string; members: string[] }> }

const SCALARS = ['char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int', 'long',
  'unsigned long', 'long long', 'unsigned long long', 'float', 'double', 'long double', '_Bool'];
const BITFIELD_TYPES: Array<[string, number]> = [['int', 32], ['unsigned int', 32], ['unsigned', 32], ['char', 8], ['unsigned char', 8],
  ['short', 16], ['unsigned short', 16], ['long', 0], ['unsigned long', 0], ['long long', 64], ['unsigned long long', 64], ['_Bool', 1]];

export function generate(count: number, seed: number, longBits: number): Generated {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number) => r() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const named: Named[] = [];
  const out: string[] = [];
  const types: Array<{ name: string; members: string[] }> = [];
  let defines = 0;
  let uniq = 0; // member names are unique per file: anonymous members share their parent's scope
  const pow2 = () => 1 << int(0, 6);

  const arraySize = (): string => {
    const n = int(0, 4);
    switch (int(0, 6)) {
      case 0: { const d = `N_${defines++}`; out.push(`#define ${d} ${n}`); return d; }
      case 1: { const d = `F_${defines++}`; out.push(`#define ${d}(x) ((x) + 1)`); return `${d}(${Math.max(0, n - 1)})`; }
      case 2: {
        const t = named.length && chance(0.5) ? pick(named).text : pick(SCALARS);
        return `sizeof(${t}) % 3 + ${n > 0 ? 1 : 0}`;
      }
      case 3: return `(${n} << 2) >> 2`;
      case 4: return `${n} > 2 ? ${n} : 1 + ${n}u`;
      default: return String(n);
    }
  };

  const memberType = (depth: number): { text: string; noArray: boolean; decl?: (name: string) => string } => {
    const k = r();
    if (k < 0.4) return { text: pick(SCALARS), noArray: false };
    if (k < 0.48) return { text: `${pick(SCALARS)} *`, noArray: false };
    if (k < 0.52) return { text: '', noArray: false, decl: (n) => `${pick(['void', 'int', 'long'])} (*${n})(${pick(['void', 'int, char *', 'struct zz *'])})` };
    const usable = named.filter((x) => !x.hasFlex);
    if (k < 0.82 && usable.length) { const x = pick(usable); return { text: x.text, noArray: x.noArray }; }
    if (depth < 2) return { text: body(depth + 1, chance(0.3) ? 'union' : 'struct', undefined).text, noArray: false };
    return { text: pick(SCALARS), noArray: false };
  };

  const alignAttr = () => ` __attribute__((aligned(${pow2()})))`;

  // a struct/union body; returns its text and whether it ends with a flexible array
  const body = (depth: number, kind: 'struct' | 'union', tag: string | undefined): { text: string; hasFlex: boolean; members: string[] } => {
    const lines: string[] = [];
    const members: string[] = [];
    const n = int(1, 6);
    let namedCount = 0;
    for (let i = 0; i < n; i++) {
      const name = `m${uniq++}`;
      const roll = r();
      if (roll < 0.18) {
        const [bt, bits0] = pick(BITFIELD_TYPES);
        const bits = bits0 || longBits;
        if (chance(0.12)) { lines.push(`${bt} :0;`); continue; }
        const w = int(1, bits);
        if (chance(0.15)) { lines.push(`${bt} :${w};`); continue; }
        lines.push(`${bt} ${name} : ${w}${chance(0.08) ? ' __attribute__((packed))' : ''};`);
        namedCount++;
        continue;
      }
      if (roll < 0.25 && depth < 2) {
        // anonymous struct/union member
        const inner = body(depth + 1, chance(0.5) ? 'union' : 'struct', undefined);
        lines.push(`${inner.text}${chance(0.2) ? alignAttr() : ''};`);
        namedCount++;
        continue;
      }
      const t = memberType(depth);
      let decl = t.decl ? t.decl(name) : `${t.text} ${name}`;
      if (!t.decl && !t.noArray && chance(0.25)) {
        const dims = int(1, 3);
        for (let d = 0; d < dims; d++) decl += `[${arraySize()}]`;
      }
      const attrs: string[] = [];
      if (chance(0.12)) attrs.push(alignAttr());
      if (chance(0.08)) attrs.push(' __attribute__((packed))');
      lines.push(`${decl}${attrs.join('')};`);
      members.push(name);
      namedCount++;
    }
    let hasFlex = false;
    if (kind === 'struct' && namedCount > 0 && depth === 0 && chance(0.1)) {
      lines.push(`${pick(['int', 'long', 'char', 'short', 'double'])} fam[];`);
      hasFlex = true;
    }
    if (namedCount === 0) { lines.push('int last;'); members.push('last'); }
    let attrs = '';
    if (chance(0.15)) attrs += ' __attribute__((packed))';
    if (chance(0.12)) attrs += alignAttr();
    const text = `${kind}${tag ? ` ${tag}` : ''} { ${lines.join(' ')} }${attrs}`;
    return { text, hasFlex, members };
  };

  out.push('struct zz;');
  for (let i = 0; i < count; i++) {
    const roll = r();
    if (roll < 0.55) {
      const kind = chance(0.25) ? 'union' : 'struct';
      const tag = `${kind[0]}${i}`;
      const b = body(0, kind, tag);
      out.push(`${b.text};`);
      named.push({ text: `${kind} ${tag}`, noArray: false, hasFlex: b.hasFlex, members: b.members });
      types.push({ name: `${kind} ${tag}`, members: b.members });
    } else if (roll < 0.65) {
      const tag = `e${i}`;
      const vals: string[] = [];
      const n = int(1, 5);
      for (let j = 0; j < n; j++) {
        const v = pick(['', '', ` = ${int(-3, 300)}`, ` = 1ULL << ${int(8, 40)}`, ` = -${int(1, 200)}`]);
        vals.push(`E${i}_${j}${v}`);
      }
      out.push(`enum ${tag} { ${vals.join(', ')} }${chance(0.2) ? ' __attribute__((packed))' : ''};`);
      named.push({ text: `enum ${tag}`, noArray: false, hasFlex: false, members: [] });
      types.push({ name: `enum ${tag}`, members: [] });
    } else {
      const name = `t${i}_t`;
      const src = named.length && chance(0.7) ? pick(named.filter((x) => !x.hasFlex).concat([{ text: 'int', noArray: false, hasFlex: false, members: [] }])) : { text: pick(SCALARS), noArray: false, hasFlex: false, members: [] };
      let decl = `${src.text} ${name}`;
      let noArray = src.noArray;
      const members = src.members;
      if (chance(0.15) && !noArray) decl += `[${int(1, 3)}]`;
      if (chance(0.2)) { decl += ` __attribute__((aligned(${pow2()})))`; noArray = true; }
      if (chance(0.15) && !src.members.length) {
        out.push(`typedef struct { ${src.text} a; char b; } ${name};`);
        named.push({ text: name, noArray: false, hasFlex: false, members: ['a', 'b'] });
        types.push({ name, members: ['a', 'b'] });
        continue;
      }
      out.push(`typedef ${decl};`);
      named.push({ text: name, noArray, hasFlex: false, members: decl.includes('[') ? [] : members });
      types.push({ name, members: decl.includes('[') ? [] : members });
    }
  }
  return { source: out.join('\n') + '\n', types };
}

/** The C that makes gcc tell us sizes: `char` arrays whose sizes `nm -S` prints. */
export function probes(g: Generated): { source: string; keys: Map<string, { type: string; what: 'size' | 'align' | 'offset'; member?: string }> } {
  const keys = new Map<string, { type: string; what: 'size' | 'align' | 'offset'; member?: string }>();
  const lines: string[] = [];
  g.types.forEach((t, i) => {
    lines.push(`char pz_${i}[sizeof(${t.name}) + 1]; char pa_${i}[__alignof__(${t.name})];`);
    keys.set(`pz_${i}`, { type: t.name, what: 'size' });
    keys.set(`pa_${i}`, { type: t.name, what: 'align' });
    t.members.slice(0, 3).forEach((m, j) => {
      lines.push(`char po_${i}_${j}[__builtin_offsetof(${t.name}, ${m}) + 1];`);
      keys.set(`po_${i}_${j}`, { type: t.name, what: 'offset', member: m });
    });
  });
  return { source: g.source + lines.join('\n') + '\n', keys };
}
