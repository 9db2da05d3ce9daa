// A header's shape (src/core/layout/headerShape.ts): equal for two texts only when they differ in
// the members of records alone, which an estimate after an edit takes for "only the work that read
// the header" (editReuse.ts). Each case below is an edit of that kind, or one that must not pass for it.
import * as assert from 'assert';
import { headerShapeOf } from '../../src/core/layout/typeIndex';
import { closingBrace } from '../../src/core/layout/headerShape';

const H = `/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHAPE_H
#define _SHAPE_H
#include <linux/types.h>

#define STATS_MAX 4

struct pcpu_stats {
	u64 packets;	/* counted { per packet */
#ifdef CONFIG_STATS_BYTES
	u64 bytes;
#endif
	u32 drops;
};

typedef struct {
	int lock;
} stats_lock_t;

enum stats_kind { STATS_RX, STATS_TX };

static inline u64 stats_total(const struct pcpu_stats *s)
{
	return s->packets + s->drops;
}
#endif
`;

const same = (a: string, b: string) => headerShapeOf(a) === headerShapeOf(b);
const edit = (from: string, to: string) => { assert.ok(H.includes(from), from); return H.replace(from, to); };

describe('a header\'s shape', () => {
  it('stays when members change, are added or removed, inside #if branches and comments too', () => {
    assert.ok(same(H, edit('\tu32 drops;\n', '\tu32 drops;\n\tu64 errors;\n')));
    assert.ok(same(H, edit('\tu64 packets;', '\tu32 packets;')));
    assert.ok(same(H, edit('\tu64 bytes;\n', '\tu64 bytes;\n\tu64 frames;\n')));
    assert.ok(same(H, edit('#ifdef CONFIG_STATS_BYTES', '#if defined(CONFIG_STATS_BYTES) && 1')));
    assert.ok(same(H, edit('/* counted { per packet */', '/* counted per packet } */')));
    assert.ok(same(H, edit('\tint lock;', '\tlong lock;\n\tint owner;'))); // an unnamed struct's body
  });

  it('changes with anything outside record bodies: a macro, an #include, a function body, an enum, a comment', () => {
    assert.ok(!same(H, edit('#define STATS_MAX 4', '#define STATS_MAX 8')));
    assert.ok(!same(H, edit('#include <linux/types.h>', '#include <linux/types.h>\n#include <linux/cache.h>')));
    assert.ok(!same(H, edit('return s->packets + s->drops;', 'return s->packets;')));
    assert.ok(!same(H, edit('STATS_RX, STATS_TX', 'STATS_RX = 1, STATS_TX')));
    assert.ok(!same(H, edit('/* SPDX-License-Identifier: GPL-2.0 */', '/* SPDX-License-Identifier: GPL-2.0-only */')));
    assert.ok(!same(H, edit('} stats_lock_t;', '} stats_lock2_t;')));
  });

  it('changes when a body holds a directive acting past it, or a name defined inside it changes', () => {
    // a #define among the members, an #include in a body, a branch crossing the braces
    const withDefine = edit('\tu32 drops;\n', '\tu32 drops;\n#define STATS_DROPS 1\n');
    assert.ok(!same(withDefine, withDefine.replace('\tu64 packets;', '\tu32 packets;')));
    const withInclude = edit('\tu32 drops;\n', '\tu32 drops;\n#include "more_stats.h"\n');
    assert.ok(!same(withInclude, withInclude.replace('\tu64 packets;', '\tu32 packets;')));
    const crossing = edit('\tu32 drops;\n};\n', '\tu32 drops;\n#ifdef CONFIG_X\n};\n#else\n\tint x;\n};\n#endif\n');
    assert.ok(!same(crossing, crossing.replace('\tu64 packets;', '\tu32 packets;')));
    // a struct written in a macro is the macro's text: on the #define line, on a continued line, over continued lines
    for (const m of ['#define STATS_DECL(n) struct n { long v; }\n', '#define STATS_DECL(n) \\\n\tstruct n { long v; }\n', '#define STATS_DECL(n) \\\n\tstruct n { \\\n\t\tlong v; \\\n\t}\n']) {
      const withMacro = edit('#define STATS_MAX 4\n', `#define STATS_MAX 4\n${m}`);
      assert.ok(!same(withMacro, withMacro.replace('long v;', 'int v;')), m);
    }
    // a struct tag or enum constant defined inside a body is the file's own name
    assert.ok(!same(H, edit('\tu32 drops;\n', '\tu32 drops;\n\tstruct pcpu_more { int x; } more;\n')));
    assert.ok(!same(H, edit('\tu32 drops;\n', '\tu32 drops;\n\tenum { STATS_LAST } last;\n')));
  });

  it('finds the closing brace past braces in comments, strings and character constants', () => {
    const t = 'struct a { int x; /* } */ char c[sizeof("}")]; int y; // }\n int z; };\nint after;';
    assert.strictEqual(closingBrace(t, t.indexOf('{')), t.lastIndexOf('}'));
    assert.strictEqual(closingBrace('struct a { int x; /* }', 9), -1);
    assert.strictEqual(closingBrace("struct a { char c = '}'; };", 9), 25);
  });
});
