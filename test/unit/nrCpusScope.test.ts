// The NR_CPUS-array table lists struct fields only in code this config builds for this arch: not
// another arch's headers, not a driver folder Kbuild does not enter; headers under include/ count.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { estimate } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig } from '../../src/core/config/kconfig';

const sample = path.join(__dirname, '..', '..', '..', 'samples', 'kernel');
const FIELD = (tag: string) => `struct ${tag} {\n\tunsigned long id;\n\tunsigned long asid[NR_CPUS];\n};\n`;

describe('NR_CPUS arrays in structs: only code this config builds for this arch', function () {
  this.timeout(60000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-scope-'));
    fs.cpSync(sample, tmp, { recursive: true });
    const put = (rel: string, text: string) => { fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true }); fs.writeFileSync(path.join(tmp, rel), text); };
    put('arch/mips/include/asm/mmu_ctx.h', FIELD('mips_mm_context'));
    put('drivers/unbuilt/unbuilt.h', FIELD('unbuilt_ctx'));
    put('include/linux/shared_ctx.h', FIELD('shared_ctx'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('keeps include/ headers, drops another arch\'s header and an unbuilt driver folder, and says why', async () => {
    const r = await estimate({ root: tmp, arch: ARCHES.x86_64, config: defaultConfig('x86_64'), cpus: 4 });
    const listed = r.nrCpusArrays.map((a) => a.container);
    assert.ok(listed.includes('struct shared_ctx'), listed.join(', '));
    assert.ok(!listed.includes('struct mips_mm_context'));
    assert.ok(!listed.includes('struct unbuilt_ctx'));
    const why = r.notBuilt.filter((n) => /mmu_ctx\.h|unbuilt\.h/.test(n.file)).map((n) => n.reason);
    assert.strictEqual(why.length, 2);
    // 8 bytes x NR_CPUS (64, x86_64's default) in every instance of the struct
    assert.strictEqual(r.nrCpusArrays.find((a) => a.container === 'struct shared_ctx')?.bytesAtNrCpus, 8 * 64);
  });
});
