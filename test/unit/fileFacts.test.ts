// The facts the estimate keeps per built file (estimate/fileFacts.ts): local #include directives for
// Kbuild, wrapper-macro #defines and upper-case calls; saved by stat and read back unchanged.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { FactStore, factsOf, fingerprintOf, includeDirectives, includeDirectivesIn, namesIn, searchFiles, searchFound, searchPlan } from '../../src/core/estimate/fileFacts';
import { DATA, IN_PLACE_LIMIT, PAD, fillNeedles } from '../../src/core/parse/prefilter';
import { PREFILTER_WASM } from '../../src/core/parse/prefilterWasm';
import { MAPPED } from '../../src/core/readText';
import { withOverlay } from '../../src/core/overlay';
import * as readTextModule from '../../src/core/readText';

const SRC = `#include <linux/percpu.h>
#include "local.h"
#ifdef CONFIG_SCHED_DEBUG
# include "debug.c"
#endif
/* DEFINE_IN_COMMENT(x) is still a call by text, as the regex it replaces saw it */
#define DEFINE_MY_COUNTER(n) static DEFINE_PER_CPU(long, n##_count); MY_HELPER(n)
#define lower_case(x) DEFINE_PER_CPU(int, x)
#define PLAIN 1
DEFINE_MY_COUNTER(rx);
int f(void) { return WARN_ON(1) + foo_BAR(2) + lower_case(3); }
`;

/** `use` with a tree holding a.c of `text`, older than the racy window; `write` replaces it at the same mtime. */
function inTree(text: string, use: (t: { root: string; file: string; cache: string; write: (text: string) => void }) => void): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-facts-'));
  try {
    const root = path.join(tmp, 'tree');
    fs.mkdirSync(root);
    const file = path.join(root, 'a.c');
    const old = new Date(Date.now() - 3600 * 1000);
    const write = (t: string) => { fs.writeFileSync(file, t); fs.utimesSync(file, old, old); };
    write(text);
    use({ root, file, cache: path.join(tmp, 'cache'), write });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

describe('per-file facts of built files', () => {
  it('reads the local includes with their conditionals, the wrapper defines and the upper-case calls', () => {
    const f = factsOf(SRC);
    assert.deepStrictEqual(f.local, [[2, '#include "local.h"'], [3, '#ifdef CONFIG_SCHED_DEBUG'], [4, '# include "debug.c"'], [5, '#endif']]);
    // lower-case definers wrap DEFINE_PER_CPU inside statements, never at file scope; PLAIN takes no arguments
    assert.deepStrictEqual(f.defines, [['DEFINE_MY_COUNTER', ['DEFINE_PER_CPU', 'MY_HELPER']]]);
    assert.deepStrictEqual(f.calls.sort(), ['DEFINE_IN_COMMENT', 'DEFINE_MY_COUNTER', 'DEFINE_PER_CPU', 'MY_HELPER', 'WARN_ON']);
    assert.strictEqual(factsOf('#include <linux/x.h>\n').local, undefined);
  });

  it('reads #include directives from the bytes as the regex reads the latin1 text', () => {
    // the lines the include graph takes as directives (the regex: a directive starts its line; it
    // over-approximates, `<a.h"` included) and those it does not
    const text = '#include <linux/percpu.h>\n  #  include\t"local.h"\n/* c */ #include <no.h>\nint include;\n#include <a.h"\r#include <b.h>\n#include <>\n#include <c\r#include <d.h>\n# include "e\xe9.h"';
    const want = ['<linux/percpu.h>', '"local.h"', '<a.h"', '<b.h>', '<c\r#include <d.h>', '"e\xe9.h"'];
    assert.deepStrictEqual(includeDirectives(text), want);
    assert.deepStrictEqual(includeDirectivesIn(Buffer.from(text, 'latin1')), want);
    // and on random texts over the characters that decide it
    const alphabet = ['#', 'include', ' ', '\t', '\n', '\r', '<', '>', '"', 'a', '/', '\xe9'];
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let t = 0; t < 3000; t++) {
      let s = '';
      for (let i = rnd(40); i > 0; i--) s += alphabet[rnd(alphabet.length)];
      assert.deepStrictEqual(includeDirectivesIn(Buffer.from(s, 'latin1')), includeDirectives(s), JSON.stringify(s));
    }
  });

  it('a second store gives the saved facts while the file is unchanged, and reads an edited one again', () => {
    inTree(SRC, ({ root, cache, write }) => {
      const first = new FactStore(root, cache);
      const facts = first.get('a.c');
      assert.strictEqual(first.get('missing.c'), undefined);
      first.save();
      assert.deepStrictEqual(new FactStore(root, cache).get('a.c'), facts);
      write(SRC.replace('WARN_ON', 'BUG_ON')); // same mtime; ctime and size tell
      assert.ok(new FactStore(root, cache).get('a.c')!.calls.includes('BUG_ON'));
    });
  });

  it('a file read afresh is kept under the stat the run\'s stamp took, not one taken again', () => {
    // a UTF-8 name in a comment: the facts are the same ASCII names
    inTree(`/* (C) Jos\u00e9 M\u00e1rquez */\n${SRC}`, ({ root, file, cache, write }) => {
      const st = fs.statSync(file);
      // the stamp saw another version of the file (it changed between the stamp and this read)
      const stamped: [number, number, number, number] = [st.size + 1, st.mtimeMs - 1000, st.ctimeMs - 1000, st.ino];
      const first = new FactStore(root, cache, (rel) => (rel === 'a.c' ? stamped : undefined));
      const facts = first.get('a.c')!;
      assert.deepStrictEqual(facts.calls.sort(), factsOf(SRC).calls.sort());
      assert.deepStrictEqual(facts.local, factsOf(SRC).local!.map(([n, l]) => [n + 1, l]));
      first.save();
      // saved under the stamp's stat: a run whose stamp sees the file as it is now reads it again ...
      write(SRC.replace('WARN_ON', 'BUG_ON'));
      const now = fs.statSync(file);
      assert.ok(new FactStore(root, cache, () => [now.size, now.mtimeMs, now.ctimeMs, now.ino]).get('a.c')!.calls.includes('BUG_ON'));
      // ... and one whose stamp gives the stat it was saved under takes the saved facts
      assert.ok(new FactStore(root, cache, () => stamped).get('a.c')!.calls.includes('WARN_ON'));
    });
  });

  it('saved facts taken on trust before the stats are known hold until confirm() finds their file changed', () => {
    inTree(SRC, ({ root, file, cache, write }) => {
      const first = new FactStore(root, cache);
      first.get('a.c');
      first.save();
      type Key = [number, number, number, number];
      const known: { stats?: (rel: string) => Key | undefined } = {};
      const now = (): Key => { const st = fs.statSync(file); return [st.size, st.mtimeMs, st.ctimeMs, st.ino]; };
      const saved = now();
      // unchanged: taken on trust, confirmed by the stats known later; confirm() asks those, not the disk
      const same = new FactStore(root, cache, (rel) => known.stats?.(rel));
      same.trustUntilConfirmed();
      assert.ok(same.get('a.c')!.calls.includes('WARN_ON'));
      known.stats = () => saved;
      assert.strictEqual(same.confirm(), true);
      const other = new FactStore(root, cache, (rel) => known.stats?.(rel));
      known.stats = undefined;
      other.trustUntilConfirmed();
      other.get('a.c');
      known.stats = () => [saved[0] + 1, saved[1], saved[2], saved[3]];
      assert.strictEqual(other.confirm(), false, 'a known stat that differs from the saved one');
      // edited since it was saved: taken on trust the answer is the saved one (no stat then);
      // confirm() finds the change and the next ask reads the file
      write(SRC.replace('WARN_ON', 'BUG_ON'));
      known.stats = undefined;
      const edited = new FactStore(root, cache, (rel) => known.stats?.(rel));
      edited.trustUntilConfirmed();
      assert.ok(edited.get('a.c')!.calls.includes('WARN_ON'));
      known.stats = () => now();
      assert.strictEqual(edited.confirm(), false);
      assert.ok(edited.get('a.c')!.calls.includes('BUG_ON'));
      // without trustUntilConfirmed the saved answer is checked by a stat first
      known.stats = undefined;
      assert.ok(new FactStore(root, cache, (rel) => known.stats?.(rel)).get('a.c')!.calls.includes('BUG_ON'));
    });
  });

  it('which names a file mentions is kept with the list while the file is unchanged; an overlay copy is read and never kept', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-facts-'));
    const real = readTextModule.readText;
    const realBytes = readTextModule.withBytes;
    let reads = 0;
    (readTextModule as { readText: typeof real }).readText = (f, e) => { reads++; return real(f, e); };
    (readTextModule as { withBytes: typeof realBytes }).withBytes = (f, use) => { reads++; return realBytes(f, use); };
    try {
      const root = path.join(tmp, 'tree');
      fs.mkdirSync(root);
      const file = path.join(root, 'a.c');
      fs.writeFileSync(file, SRC);
      const old = new Date(Date.now() - 3600 * 1000);
      fs.utimesSync(file, old, old);
      const cache = path.join(tmp, 'cache');
      const names = ['foo_BAR', 'lower_case', 'netdev_alloc_pcpu_stats'];
      const first = new FactStore(root, cache);
      assert.deepStrictEqual([...first.mentions('a.c', names)].sort(), ['foo_BAR', 'lower_case']);
      assert.deepStrictEqual([...first.mentions('missing.c', names)], []);
      first.save();
      reads = 0;
      const second = new FactStore(root, cache);
      assert.deepStrictEqual([...second.mentions('a.c', [...names])].sort(), ['foo_BAR', 'lower_case']);
      assert.strictEqual(reads, 0); // same stat, same list: the saved answer
      assert.deepStrictEqual([...second.mentions('a.c', ['WARN_ON'])], ['WARN_ON']);
      assert.strictEqual(reads, 1); // another list: the file is searched again
      // diff's NEW side: the patched copy is searched, and nothing of it is kept
      const patched = path.join(tmp, 'a.c.new');
      fs.writeFileSync(patched, `${SRC}int g(void) { return netdev_alloc_pcpu_stats(int) != 0; }\n`);
      await withOverlay({ root, files: new Map([['a.c', patched]]) }, async () => {
        assert.deepStrictEqual([...second.mentions('a.c', names)].sort(), ['foo_BAR', 'lower_case', 'netdev_alloc_pcpu_stats']);
        second.save();
      });
      assert.deepStrictEqual([...new FactStore(root, cache).mentions('a.c', names)].sort(), ['foo_BAR', 'lower_case']);
    } finally {
      (readTextModule as { readText: typeof real }).readText = real;
      (readTextModule as { withBytes: typeof realBytes }).withBytes = realBytes;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('finds the names a text mentions, a name inside another one included, in the list\'s order', () => {
    // Debian's list holds names inside others (percpu_counter_init in __percpu_counter_init_many)
    const names = ['__percpu_counter_init_many', 'mm_alloc_cid', 'percpu_counter_init', 'percpu_counter_init_many', 'mm_alloc_cid_noprof', 'devm_alloc_percpu'];
    const texts = [
      'err = __percpu_counter_init_many(fbc, 0, gfp, 1, &key);',
      'return percpu_counter_init(&c, 0, GFP_KERNEL);',
      'mm->pcpu_cid = alloc_percpu(struct mm_cid); /* mm_alloc_cid_noprof */',
      'mm_alloc_cid(mm, p) && percpu_counter_init_many(x)',
      'nothing here: alloc_percpu(int)',
    ];
    const expect = [
      ['__percpu_counter_init_many', 'percpu_counter_init', 'percpu_counter_init_many'],
      ['percpu_counter_init'],
      ['mm_alloc_cid', 'mm_alloc_cid_noprof'],
      ['mm_alloc_cid', 'percpu_counter_init', 'percpu_counter_init_many'],
      [],
    ];
    texts.forEach((t, i) => assert.deepStrictEqual([...namesIn(t, names)], expect[i], t));
    // the bytes of the text, as search() reads a file
    texts.forEach((t, i) => assert.deepStrictEqual([...namesIn(Buffer.from(t, 'latin1'), names)], expect[i], t));
  });

  it('searches files for names in one WebAssembly pass as indexOf does: shared group bits, short and long names, names inside others', () => {
    // Debian amd64's list (17 names, 11 searched first), a 2-byte and a 30-byte name: 13 in the one pass, slots k and k + 8 sharing a group bit
    const names = ['mm_alloc_cid_noprof', 'mm_alloc_cid', 'fc_lport_init_stats', '__netdev_alloc_pcpu_stats', 'bpf_map_alloc_percpu',
      'netdev_alloc_pcpu_stats', '__devm_alloc_percpu', '__percpu_counter_init_many', 'blk_stat_alloc_callback', 'irq_alloc_matrix',
      'metadata_dst_alloc_percpu', 'tbl_mask_array_alloc', 'tbl_mask_cache_alloc', 'devm_alloc_percpu', 'devm_netdev_alloc_pcpu_stats',
      'percpu_counter_init', 'percpu_counter_init_many', 'qx', 'a_name_of_thirty_bytes_exactly'];
    assert.strictEqual(names[names.length - 1].length, 30);
    const plan = searchPlan(names);
    const wasm = { opts: { wasm: PREFILTER_WASM, data: DATA, pad: PAD, limit: IN_PLACE_LIMIT }, fill: fillNeedles, fingerprint: fingerprintOf };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-search-'));
    try {
      let n = 0;
      const check = (texts: string[]) => {
        const files = texts.map((t) => { const f = path.join(tmp, `f${n++}.c`); fs.writeFileSync(f, t, 'latin1'); return f; });
        const got = searchFiles([...files, path.join(tmp, 'missing.c')], names, fs, plan, searchFound, MAPPED, wasm);
        assert.strictEqual(got.pop(), null);
        return got.every((g, i) => JSON.stringify(g!.map((k) => names[k])) === JSON.stringify([...namesIn(texts[i], names)]));
      };
      // each name alone at several offsets, and with a neighbour of its group
      const one = names.flatMap((a, i) => ['', 'x', ' '.repeat(17)].map((pad) => `${pad}${a}(${names[(i + 8) % names.length]}`));
      assert.ok(check(one));
      // a file bigger than the earlier ones (the memory grows), the name at its very end; and an empty file
      assert.ok(check([`${'y'.repeat(3 << 20)}percpu_counter_init`, '']));
      // random texts of the names' pieces: names and near misses are common
      const piece = fc.constantFrom(...names.flatMap((t) => [t, t.slice(1), t.slice(0, -1), t.slice(2, 7)]), ' ', '\n', '_', '(');
      fc.assert(fc.property(fc.array(fc.array(piece, { maxLength: 30 }).map((ps) => ps.join('')), { minLength: 1, maxLength: 8 }), check), { numRuns: 300, seed: 7 });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('takes a name\'s rarest three bytes as its search fingerprint', () => {
    // by the frequency table's order: 'p' and 'u' are rarer than 'e' and 'r', 'v' rarer than 'd' and 'e'
    assert.strictEqual(fingerprintOf('percpu_counter_init'), 'percpu_counter_init'.indexOf('cpu'));
    assert.strictEqual(fingerprintOf('devm_alloc_percpu'), 'devm_alloc_percpu'.indexOf('vm_'));
    assert.strictEqual(fingerprintOf('abc'), 0);
  });

  it('searches many files for a list of names on a worker, and mentions() then answers without reading them', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-prefetch-'));
    const realBytes = readTextModule.withBytes;
    const real = readTextModule.readText;
    let reads = 0;
    try {
      const names = ['percpu_counter_init', '__percpu_counter_init_many', 'devm_alloc_percpu'];
      const bodies = ['', 'x = percpu_counter_init(&c, 0, GFP_KERNEL);', 'y = __percpu_counter_init_many(f, 0, g, 1, &k);', 'p = devm_alloc_percpu(dev, int); q = percpu_counter_init(&d, 0, 0);'];
      const expect = [[], ['percpu_counter_init'], ['percpu_counter_init', '__percpu_counter_init_many'], ['percpu_counter_init', 'devm_alloc_percpu']];
      // enough files for a worker (fewer are searched when asked); one unreadable
      const rels: string[] = [];
      for (let i = 0; i < 600; i++) {
        const rel = `d${i % 7}/f${i}.c`;
        fs.mkdirSync(path.join(tmp, `d${i % 7}`), { recursive: true });
        fs.writeFileSync(path.join(tmp, rel), `int a${i};\n${bodies[i % 4]}\n`);
        rels.push(rel);
      }
      rels.push('missing.c');
      const store = new FactStore(tmp, path.join(tmp, '.cache'));
      await store.prefetchMentions(rels, names);
      (readTextModule as { readText: typeof real }).readText = (f, e) => { reads++; return real(f, e); };
      (readTextModule as { withBytes: typeof realBytes }).withBytes = (f, use) => { reads++; return realBytes(f, use); };
      rels.slice(0, 600).forEach((rel, i) => assert.deepStrictEqual([...store.mentions(rel, names)], expect[i % 4], rel));
      assert.strictEqual(reads, 0); // every answer came from the worker's search
      assert.deepStrictEqual([...store.mentions('missing.c', names)], []);
    } finally {
      (readTextModule as { readText: typeof real }).readText = real;
      (readTextModule as { withBytes: typeof realBytes }).withBytes = realBytes;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  /** `rels` (each SRC, dated an hour ago) in a temp tree whose facts a whole run saved; `reads`: the files read since the last `edit`/`reset` */
  async function withSavedFacts(rels: string[], body: (t: { tmp: string; cache: string; reads: () => string[]; reset: () => void; edit: (rel: string, text: string) => void }) => void | Promise<void>): Promise<void> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-saved-'));
    const real = readTextModule.readText;
    let reads: string[] = [];
    (readTextModule as { readText: typeof real }).readText = (f, e) => { reads.push(path.basename(f)); return real(f, e); };
    try {
      const old = new Date(Date.now() - 3600 * 1000);
      for (const n of rels) { fs.writeFileSync(path.join(tmp, n), SRC); fs.utimesSync(path.join(tmp, n), old, old); }
      const cache = path.join(tmp, '.cache');
      const whole = new FactStore(tmp, cache);
      for (const n of rels) whole.get(n);
      whole.save();
      const edit = (rel: string, text: string) => {
        fs.writeFileSync(path.join(tmp, rel), text);
        fs.utimesSync(path.join(tmp, rel), old, new Date(Date.now() - 1800 * 1000));
        reads = [];
      };
      await body({ tmp, cache, reads: () => reads, reset: () => { reads = []; }, edit });
    } finally {
      (readTextModule as { readText: typeof real }).readText = real;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  it('a run that asks for a few files keeps the saved facts of the others for the next whole run', async () => {
    const rels = ['a.c', 'b.c', 'c.c'];
    await withSavedFacts(rels, ({ tmp, cache, reads, reset, edit }) => {
      // an edit of a.c, then a run after it asks for a.c alone (it reads it afresh and saves)
      edit('a.c', `${SRC}\n#define A_NEW(x) DEFINE_PER_CPU(int, x)\n`);
      const afterEdit = new FactStore(tmp, cache);
      assert.ok(afterEdit.get('a.c')!.defines.some(([n]) => n === 'A_NEW'));
      afterEdit.save();
      assert.deepStrictEqual(reads(), ['a.c']);
      // the next whole run: b.c and c.c still answered by the saved facts, a.c by its new ones
      reset();
      const next = new FactStore(tmp, cache);
      for (const n of rels) assert.ok(next.get(n), n);
      assert.deepStrictEqual(reads(), []);
      assert.ok(next.get('a.c')!.defines.some(([n]) => n === 'A_NEW'));
    });
  });

  it('a run that read a few files afresh among many saved ones leaves the saved file as it is; the next run reads those few again', async () => {
    const rels = Array.from({ length: 600 }, (_, i) => `f${i}.c`);
    await withSavedFacts(rels, ({ tmp, cache, reads, reset, edit }) => {
      const saved = fs.readdirSync(path.join(cache, 'facts')).map((f) => path.join(cache, 'facts', f));
      const before = saved.map((f) => fs.readFileSync(f, 'utf8'));
      edit('f7.c', `${SRC}\n#define F7(x) DEFINE_PER_CPU(int, x)\n`);
      const afterEdit = new FactStore(tmp, cache);
      assert.ok(afterEdit.get('f7.c')!.defines.some(([n]) => n === 'F7'));
      afterEdit.save();
      assert.deepStrictEqual(saved.map((f) => fs.readFileSync(f, 'utf8')), before); // not rewritten
      reset();
      const next = new FactStore(tmp, cache);
      for (const n of rels) assert.ok(next.get(n), n);
      assert.deepStrictEqual(reads(), ['f7.c']);
      assert.ok(next.get('f7.c')!.defines.some(([n]) => n === 'F7'));
    });
  });

  it('mentions searched ahead for many files are saved even when most saved facts were not asked for', async () => {
    const rels = Array.from({ length: 1200 }, (_, i) => `m${i}.c`);
    const names = ['percpu_counter_init', 'devm_alloc_percpu'];
    const asked = rels.slice(0, 600);
    await withSavedFacts(rels, async ({ tmp, cache }) => {
      // a whole run under another config: 600 of the 1,200 saved files, their mentions searched ahead
      const store = new FactStore(tmp, cache);
      await store.prefetchMentions(asked, names);
      store.save();
      const realBytes = readTextModule.withBytes;
      let reads = 0;
      (readTextModule as { withBytes: typeof realBytes }).withBytes = (f, use) => { reads++; return realBytes(f, use); };
      try {
        const next = new FactStore(tmp, cache);
        for (const rel of asked) assert.deepStrictEqual([...next.mentions(rel, names)], [], rel);
        assert.strictEqual(reads, 0); // the answers were saved
      } finally {
        (readTextModule as { withBytes: typeof realBytes }).withBytes = realBytes;
      }
    });
  });
});
