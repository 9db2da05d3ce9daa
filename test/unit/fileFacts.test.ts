// The facts the estimate keeps per built file (estimate/fileFacts.ts): local #include directives for
// Kbuild, wrapper-macro #defines and upper-case calls; saved by stat and read back unchanged.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FactStore, factsOf } from '../../src/core/estimate/fileFacts';

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

describe('per-file facts of built files', () => {
  it('reads the local includes with their conditionals, the wrapper defines and the upper-case calls', () => {
    const f = factsOf(SRC);
    assert.deepStrictEqual(f.local, [[2, '#include "local.h"'], [3, '#ifdef CONFIG_SCHED_DEBUG'], [4, '# include "debug.c"'], [5, '#endif']]);
    // lower-case definers wrap DEFINE_PER_CPU inside statements, never at file scope; PLAIN takes no arguments
    assert.deepStrictEqual(f.defines, [['DEFINE_MY_COUNTER', ['DEFINE_PER_CPU', 'MY_HELPER']]]);
    assert.deepStrictEqual(f.calls.sort(), ['DEFINE_IN_COMMENT', 'DEFINE_MY_COUNTER', 'DEFINE_PER_CPU', 'MY_HELPER', 'WARN_ON']);
    assert.strictEqual(factsOf('#include <linux/x.h>\n').local, undefined);
  });

  it('a second store gives the saved facts while the file is unchanged, and reads an edited one again', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-facts-'));
    try {
      const root = path.join(tmp, 'tree');
      fs.mkdirSync(root);
      const file = path.join(root, 'a.c');
      fs.writeFileSync(file, SRC);
      const old = new Date(Date.now() - 3600 * 1000); // older than the racy window
      fs.utimesSync(file, old, old);
      const cache = path.join(tmp, 'cache');
      const first = new FactStore(root, cache);
      const facts = first.get('a.c');
      assert.strictEqual(first.get('missing.c'), undefined);
      first.save();
      assert.deepStrictEqual(new FactStore(root, cache).get('a.c'), facts);
      fs.writeFileSync(file, SRC.replace('WARN_ON', 'BUG_ON'));
      fs.utimesSync(file, old, old); // same mtime; ctime and size tell
      assert.ok(new FactStore(root, cache).get('a.c')!.calls.includes('BUG_ON'));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
