// The scan's file list read off the tree's stamp (walk.ts listedFrom) is walkTree's list, or
// nothing where the two could differ: a symlinked directory, a broken symlink, a fifo where walkTree
// looks. The expected lists are walkTree's on the same tree, not listedFrom's own.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { treeStamp } from '../../src/core/estimate/resultCache';
import { listedFrom, walkTree } from '../../src/core/parse/walk';

const INC = ['**/*.c', '**/*.h'];
const EXC = ['tools/**', 'Documentation/**', 'scripts/**'];

describe('the scan\'s file list from the tree stamp', () => {
  let root: string;
  const write = (rel: string, text = 'int x;\n') => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  const fromStamp = async (inc = INC, exc = EXC) => {
    const files = new Map<string, string>();
    const st = await treeStamp(root, { files });
    assert.ok(st.odd, 'a stamp that collects the stats lists its odd entries');
    return listedFrom(files.keys(), st.odd, inc, exc);
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-listed-'));
    for (const f of ['kernel/a.c', 'kernel/b.h', 'kernel/Makefile', 'include/linux/x.h', 'arch/x86/kernel/c.c', 'arch/arm/d.c',
      'tools/t.c', 'scripts/dtc/s.c', 'Documentation/doc.c', 'z.c', 'a-b/c.c', 'a/b.c', '.hidden/h.c']) write(f);
    // a symlinked folder where walkTree does not look, as linux's scripts/dtc/include-prefixes
    fs.symlinkSync('../../arch/arm', path.join(root, 'scripts', 'dtc', 'arm'));
    fs.symlinkSync('x.h', path.join(root, 'include', 'linux', 'y.h')); // a symlinked file: listed by both
    fs.mkdirSync(path.join(root, '.git'));
    fs.writeFileSync(path.join(root, '.git', 'g.c'), '');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('equals walkTree\'s list, in its order, when the odd entries are in excluded folders', async () => {
    const walked = await walkTree(root, INC, EXC);
    assert.deepStrictEqual(walked.errors, []);
    assert.deepStrictEqual(await fromStamp(), walked.files);
    assert.deepStrictEqual(walked.files, ['.hidden/h.c', 'a/b.c', 'a-b/c.c', 'arch/arm/d.c', 'arch/x86/kernel/c.c', 'include/linux/x.h', 'include/linux/y.h', 'kernel/a.c', 'kernel/b.h', 'z.c']);
    // a folder pattern walkTree prunes by its trailing slash
    const byFolder = ['arch/*/'];
    assert.deepStrictEqual(await fromStamp(INC, [...EXC, ...byFolder]), (await walkTree(root, INC, [...EXC, ...byFolder])).files);
  });

  it('gives no list where walkTree would meet a symlinked folder, a broken symlink or a fifo', async () => {
    fs.symlinkSync('../arch', path.join(root, 'kernel', 'arch-link'));
    assert.strictEqual(await fromStamp(), undefined);
    assert.strictEqual((await walkTree(root, INC, EXC)).files.filter((f) => f.startsWith('kernel/arch-link/')).length, 0, 'walkTree lists the folder once, by its real path');
    fs.unlinkSync(path.join(root, 'kernel', 'arch-link'));
    assert.ok(await fromStamp());

    fs.symlinkSync('nowhere.c', path.join(root, 'kernel', 'gone.c'));
    assert.strictEqual(await fromStamp(), undefined);
    assert.strictEqual((await walkTree(root, INC, EXC)).errors.length, 1);
    fs.renameSync(path.join(root, 'kernel', 'gone.c'), path.join(root, 'tools', 'gone.c'));
    assert.deepStrictEqual(await fromStamp(), (await walkTree(root, INC, EXC)).files, 'a broken symlink in an excluded folder');

    execFileSync('mkfifo', [path.join(root, 'kernel', 'pipe.c')]);
    assert.strictEqual(await fromStamp(), undefined);
    assert.ok(!(await walkTree(root, INC, EXC)).files.includes('kernel/pipe.c'));
  });
});
