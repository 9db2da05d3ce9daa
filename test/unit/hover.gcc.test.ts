// The hover's layout and size line against gcc: the structs are compiled, their offsets, sizes and
// alignments read back with nm (gccTruth), the variable's alignment from gcc's .align directive.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { createCore } from '../../src/vscode/core';
import { parseSettings } from '../../src/vscode/settings';
import { sizeLine } from '../../src/vscode/hoverText';
import { cDeclaration } from '../../src/core/layout/cDecl';
import { compileSizes } from './support/gccTruth';

// hrtimer and a napi_struct-like record as 6.12 declares them (members that matter for the layout)
const TYPES = `
enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
struct rb_node { unsigned long __rb_parent_color; struct rb_node *rb_right; struct rb_node *rb_left; } __attribute__((aligned(sizeof(long))));
struct timerqueue_node { struct rb_node node; long long expires; };
struct hrtimer_clock_base;
struct hrtimer {
	struct timerqueue_node node;
	long long _softexpires;
	enum hrtimer_restart (*function)(struct hrtimer *);
	struct hrtimer_clock_base *base;
	unsigned char state;
	unsigned char is_rel;
	unsigned char is_soft;
	unsigned char is_hard;
};
struct napi_like {
	unsigned long state;
	int (*poll)(struct napi_like *, int);
	char gro_hash[400];
	int weight;
	void (*handlers[2])(void);
	int (*table)[3];
};
`;
const MEMBERS: Record<string, string[]> = {
  hrtimer: ['node', '_softexpires', 'function', 'base', 'state', 'is_rel', 'is_soft', 'is_hard'],
  napi_like: ['state', 'poll', 'gro_hash', 'weight', 'handlers', 'table'],
};

function gccTruth(): Map<string, number> {
  const probes = Object.entries(MEMBERS).flatMap(([t, ms]) => [
    `char size_${t}[sizeof(struct ${t}) + 1];`, `char align_${t}[__alignof__(struct ${t})];`,
    ...ms.map((m) => `char off_${t}_${m}[__builtin_offsetof(struct ${t}, ${m}) + 1];`),
  ]);
  return compileSizes('gcc', ['-m64'], `${TYPES}\n${probes.join('\n')}\n`);
}

/** The alignment gcc gives a variable of this type (x86_64 raises data of 32 B and more). */
function gccVarAlign(type: string): number {
  const asm = execFileSync('gcc', ['-m64', '-O2', '-S', '-x', 'c', '-o', '-', '-'], { input: `${TYPES}\n${type} v;\n`, encoding: 'utf8' });
  return Number(/\.align (\d+)\s+\.type\s+v, @object/.exec(asm)![1]);
}

describe('hover: pahole layout and size line against gcc', function () {
  this.timeout(60000);
  const truth = gccTruth();
  const core = createCore();
  const s = parseSettings(() => undefined).settings; // x86_64
  const root = path.resolve(__dirname, '../../../test/fixtures/e2e-kernel');
  const analyze = (text: string) => core.analyzeFile(path.join(root, 'kernel/hover_probe.c'), text, s, root);

  it('hrtimer: offsets and sizes as gcc, the function pointer as C writes it, both alignments named', async () => {
    const a = await analyze(`${TYPES}\nstatic DEFINE_PER_CPU(struct hrtimer, probe_timer);\n`);
    const it = a.items.find((i) => i.name === 'probe_timer')!;
    const text = it.layoutText!;
    for (const m of MEMBERS.hrtimer) {
      const off = truth.get(`off_hrtimer_${m}`)! - 1;
      const line = text.split('\n').find((l) => new RegExp(`[\\s*(]${m}[)\\[:;]`).test(l))!;
      assert.match(line, new RegExp(`/\\*\\s+${off}\\s+\\d+ \\*/$`), `${m} at ${off}: ${line}`);
    }
    assert.match(text, /\tenum hrtimer_restart \(\*function\)\(struct hrtimer \*\);\s+\/\*\s+40\s+8 \*\//);
    const size = truth.get('size_hrtimer')! - 1;
    const align = truth.get('align_hrtimer')!;
    assert.deepStrictEqual([size, align], [64, 8]);
    assert.match(text, new RegExp(`/\\* size: ${size}, cachelines: 1, members: 8 \\*/`));
    assert.match(text, new RegExp(`}; /\\* align: ${align} \\*/$`));
    const varAlign = gccVarAlign('struct hrtimer');
    assert.strictEqual(varAlign, 32);
    assert.strictEqual(sizeLine(it, s.arch), `size 64 B, align ${varAlign} as placed (the type's own align: ${align}) (x86_64)`);
  });

  it('one cache-line boundary line per member however many lines a member spans (pahole)', async () => {
    const a = await analyze(`${TYPES}\nstatic DEFINE_PER_CPU(struct napi_like, probe_napi);\n`);
    const text = a.items.find((i) => i.name === 'probe_napi')!.layoutText!;
    const weight = truth.get('off_napi_like_weight')! - 1; // 416: gro_hash spans lines 0..6
    assert.strictEqual(weight, 416);
    const boundaries = text.split('\n').filter((l) => l.includes('boundary'));
    assert.deepStrictEqual(boundaries, [
      `\t/* --- cacheline 6 boundary (384 bytes) was ${weight - 384} bytes ago --- */`,
      `\t/* --- cacheline 7 boundary (448 bytes) --- */`,
    ].slice(0, boundaries.length));
    // handlers at 424 (line 6, already announced), table at 440: no second line for line 6
    assert.strictEqual(truth.get('off_napi_like_handlers')! - 1, 424);
    assert.strictEqual(truth.get('off_napi_like_table')! - 1, 440);
    assert.strictEqual(boundaries.length, 1);
    assert.match(text, /\tvoid \(\*handlers\[2\]\)\(void\);/);
    assert.match(text, /\tint \(\*table\)\[3\];/);
    assert.match(text, /\tint \(\*poll\)\(struct napi_like \*, int\);/);
  });

  it('writes declarators as C does', () => {
    assert.strictEqual(cDeclaration('char *[2][3]', 'a'), 'char *a[2][3]');
    assert.strictEqual(cDeclaration('int[2][3]', 'a'), 'int a[2][3]');
    assert.strictEqual(cDeclaration('int[3] *', 'p'), 'int (*p)[3]');
    assert.strictEqual(cDeclaration('void (void) *[2]', 'h'), 'void (*h[2])(void)');
    assert.strictEqual(cDeclaration('struct list_head', 'list'), 'struct list_head list');
  });
});
