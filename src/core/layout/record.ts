// gcc's record layout (stor-layout.c place_field with PCC_BITFIELD_TYPE_MATTERS, as on every
// Linux target we model): works in bits, returns offsets, size and alignment.
import type { ArchProfile } from '../config/arch';

/** A resolved C type. `fieldAlign` is the alignment as a struct member (i386: long long → 4). */
export interface TInfo {
  kind: 'int' | 'float' | 'ptr' | 'record' | 'array' | 'enum' | 'void' | 'func';
  size: number;
  align: number;
  fieldAlign: number;
  /** alignment set by an aligned attribute somewhere in the type (gcc's TYPE_USER_ALIGN) */
  userAlign: boolean;
  unsigned?: boolean;
  /** array without a size (flexible array member) */
  flex?: boolean;
  /** record or array element layout */
  members?: MemberOut[];
  /** the type of each entry of `members` (same order) */
  memberTypes?: TInfo[];
  elem?: TInfo;
  count?: number;
  name: string;
  /** record: the aligned attribute on the type itself (bytes) and its size without that attribute */
  ownAlign?: number;
  bareSize?: number;
  /** pointer: the pointed-to type, resolved when asked */
  target?: () => TInfo;
  /** fallback types used while resolving */
  fallback?: Set<string>;
}

export interface MemberOut { name: string; offset: number; size: number; align: number; bitOffset?: number; bitSize?: number; type: string }

export interface FieldIn {
  name?: string;
  type: TInfo;
  bits?: number;
  packed: boolean;
  /** aligned(N) on the member, bytes */
  alignAttr?: number;
}

export interface RecordOpts { union: boolean; packed: boolean; alignAttr?: number }

const up = (x: number, a: number) => Math.ceil(x / a) * a;

export function layoutRecord(fields: FieldIn[], o: RecordOpts, arch: ArchProfile): { size: number; align: number; userAlign: boolean; members: MemberOut[] } {
  const anonBitfieldsAlign = arch.anonBitfieldAlign;
  let pos = 0;
  let maxBits = 0;
  let align = 8;
  let userAlign = false;
  const members: MemberOut[] = [];
  for (const f of fields) {
    const t = f.type;
    if (f.bits !== undefined) {
      const tAlign = t.fieldAlign * 8;
      const tSize = t.size * 8;
      const w = f.bits;
      const named = f.name !== undefined && f.name !== '';
      if (!arch.bitfieldTypeMatters) {
        // m68k (no PCC_BITFIELD_TYPE_MATTERS): bits follow each other whatever their type, straddling
        // included, and never align the record; `:0` aligns to EMPTY_FIELD_BOUNDARY and the record with it
        if (w === 0) {
          const efb = (arch.emptyFieldBoundary ?? 1) * 8;
          if (!o.union) pos = up(pos, efb);
          align = Math.max(align, efb);
          continue;
        }
        const at = o.union ? 0 : pos;
        if (o.union) maxBits = Math.max(maxBits, w);
        else pos = at + w;
        if (named) members.push({ name: f.name!, offset: Math.floor(at / 8), size: t.size, align: 1, bitOffset: at, bitSize: w, type: t.name });
        continue;
      }
      if (w === 0) {
        if (!o.union) pos = up(pos, tAlign);
        if (anonBitfieldsAlign) align = Math.max(align, tAlign);
        continue;
      }
      let at = o.union ? 0 : pos;
      if (!f.packed && !o.union && up((at % tAlign) + w, tAlign) > tSize) at = up(at, tAlign);
      if (named || anonBitfieldsAlign) {
        align = Math.max(align, f.packed ? 8 : tAlign);
        userAlign ||= t.userAlign;
      }
      if (o.union) maxBits = Math.max(maxBits, w);
      else pos = at + w;
      if (named) members.push({ name: f.name!, offset: Math.floor(at / 8), size: t.size, align: t.fieldAlign, bitOffset: at, bitSize: w, type: t.name });
      continue;
    }
    let a = f.packed ? 8 : t.fieldAlign * 8;
    if (f.alignAttr) a = Math.max(a, f.alignAttr * 8);
    if (f.alignAttr || t.userAlign) userAlign = true;
    const at = o.union ? 0 : up(pos, a);
    const bits = t.size * 8;
    if (o.union) maxBits = Math.max(maxBits, bits);
    else pos = at + bits;
    align = Math.max(align, a);
    members.push({ name: f.name ?? '', offset: at / 8, size: t.size, align: a / 8, type: t.name });
  }
  if (o.alignAttr) { align = Math.max(align, o.alignAttr * 8); userAlign = true; }
  const bits = o.union ? maxBits : pos;
  const size = up(up(bits, 8), align) / 8;
  return { size, align: align / 8, userAlign, members };
}
