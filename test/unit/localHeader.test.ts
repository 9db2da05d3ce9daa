// An open file's own folder holds its "local.h" headers (kernel/sched/core.c includes "sched.h",
// which defines struct rq): the editor must size types from there as gcc does.
import * as assert from 'assert';
import * as path from 'path';
import { createCore } from '../../src/vscode/core';
import { parseSettings } from '../../src/vscode/settings';
import { compileSizes } from './support/gccTruth';
import { removeTree, tempTree } from './support/tempTree';

const HEADER = 'struct rq_like {\n\tlong clock;\n\tint nr_running;\n\tstruct rq_like *next;\n\tchar comm[13];\n};\n';

describe('editor: types from a header beside the open file', function () {
  this.timeout(60000);
  let root: string;
  before(() => { root = tempTree('local', { 'include/linux/percpu.h': '/* empty */\n', 'kernel/sched/sched.h': HEADER }); });
  after(() => removeTree(root));

  it('sizes struct rq_like from kernel/sched/sched.h as gcc does', async () => {
    const want = compileSizes('gcc', ['-m64'], `${HEADER}char probe[sizeof(struct rq_like)];\n`).get('probe');
    assert.strictEqual(want, 40);
    const file = path.join(root, 'kernel', 'sched', 'core.c');
    const text = '#include <linux/percpu.h>\n#include "sched.h"\nDEFINE_PER_CPU_SHARED_ALIGNED(struct rq_like, runqueues);\n';
    const a = await createCore().analyzeFile(file, text, parseSettings(() => undefined).settings, root);
    const it = a.items.find((i) => i.name === 'runqueues')!;
    assert.strictEqual(it.unresolved, undefined);
    assert.strictEqual(it.bytesPerCpu, want);
  });
});
