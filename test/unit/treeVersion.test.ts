// Without --kernel the estimate takes the era of the tree it reads, from the top-level Makefile.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { estimate } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig } from '../../src/core/config/kconfig';
import { treeKernelVersion } from '../../src/core/config/treeVersion';

const sample = path.join(__dirname, '..', '..', '..', 'samples', 'kernel');

describe('kernel version of the tree', function () {
  this.timeout(60000);
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-ver-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const makefile = (text: string) => fs.writeFileSync(path.join(tmp, 'Makefile'), text);

  it('reads VERSION and PATCHLEVEL (and SUBLEVEL for 2.6) as the kernel\'s Makefile sets them', () => {
    makefile('# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 118\nEXTRAVERSION =\nNAME = Baby Opossum Posse\n');
    assert.strictEqual(treeKernelVersion(tmp), '6.12');
    makefile('VERSION = 2\nPATCHLEVEL = 6\nSUBLEVEL = 32\nEXTRAVERSION = -rc1\n');
    assert.strictEqual(treeKernelVersion(tmp), '2.6.32');
    makefile('obj-y += foo.o\n');
    assert.strictEqual(treeKernelVersion(tmp), undefined);
    fs.rmSync(path.join(tmp, 'Makefile'));
    assert.strictEqual(treeKernelVersion(tmp), undefined);
  });

  it('an estimate of a 3.10 tree prints 3.10\'s boot line (PERCPU: ... @addr), of a 6.12 tree today\'s', async () => {
    const tree = path.join(tmp, 'tree');
    fs.cpSync(sample, tree, { recursive: true });
    const run = () => estimate({ root: tree, arch: ARCHES.x86_64, config: defaultConfig('x86_64'), cpus: 4 });
    fs.writeFileSync(path.join(tree, 'Makefile'), 'VERSION = 3\nPATCHLEVEL = 10\nSUBLEVEL = 0\n' + fs.readFileSync(path.join(sample, 'Makefile'), 'utf8'));
    const old = await run();
    assert.strictEqual(old.kernel, '3.10');
    // mm/percpu.c of 3.x: pr_info("PERCPU: Embedded %zu pages/cpu @%p s%zu r%zu d%zu u%zu\n", ...)
    assert.match(old.firstChunk && 'bootLine' in old.firstChunk ? old.firstChunk.bootLine : '', /^PERCPU: Embedded \d+ pages\/cpu @/);
    fs.writeFileSync(path.join(tree, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\n');
    const now = await run();
    assert.strictEqual(now.kernel, '6.12');
    assert.match(now.firstChunk && 'bootLine' in now.firstChunk ? now.firstChunk.bootLine : '', /^percpu: Embedded \d+ pages\/cpu s\d+ r\d+ d\d+ u\d+$/);
  });
});
