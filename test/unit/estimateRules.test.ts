import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { estimate } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig } from '../../src/core/config/kconfig';
import { estimateToSarif } from '../../src/core/report/estimateSarif';

describe('estimate: rules over the tree', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-rules-'));
    fs.mkdirSync(path.join(dir, 'kernel'));
    // no per-CPU definition, allocation or NR_CPUS here: only an accessor the rules read
    fs.writeFileSync(path.join(dir, 'kernel', 'reader.c'), [
      '#include "counters.h"', '', 'int read_local(void)', '{',
      '\treturn *per_cpu_ptr(&hits, smp_processor_id());', '}', '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'kernel', 'counters.c'), 'DEFINE_PER_CPU(int, hits);\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('checks files that hold accessor calls but no findings, and reports them in SARIF', async () => {
    const r = await estimate({ root: dir, arch: ARCHES.x86_64, config: defaultConfig('x86_64'), cpus: 4 });
    assert.deepStrictEqual(r.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`), ['PCPU003 kernel/reader.c:5']);
    const res = estimateToSarif(r).runs[0].results!;
    const p3 = res.filter((x) => x.ruleId === 'PCPU003');
    assert.strictEqual(p3.length, 1);
    assert.strictEqual(p3[0].locations![0].physicalLocation!.region!.startLine, 5);
  });

  it('skips the rules when asked', async () => {
    const r = await estimate({ root: dir, arch: ARCHES.x86_64, config: defaultConfig('x86_64'), cpus: 4, rules: false });
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.static.bytes, 4);
  });

  it('reads only what the config builds unless asked for all files', async () => {
    const t = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-rules-built-'));
    try {
      const acc = '#include "c.h"\nint f(void)\n{\n\treturn *per_cpu_ptr(&hits, smp_processor_id());\n}\n';
      fs.mkdirSync(path.join(t, 'kernel'));
      fs.mkdirSync(path.join(t, 'arch', 'arm', 'include'), { recursive: true });
      fs.writeFileSync(path.join(t, 'Makefile'), 'obj-y += kernel/\n');
      fs.writeFileSync(path.join(t, 'kernel', 'Makefile'), 'obj-y += built.o\nobj-$(CONFIG_NOT_SET) += other.o\n');
      fs.writeFileSync(path.join(t, 'kernel', 'built.c'), 'DEFINE_PER_CPU(int, hits);\n' + acc);
      fs.writeFileSync(path.join(t, 'kernel', 'other.c'), acc);
      fs.writeFileSync(path.join(t, 'arch', 'arm', 'include', 'x.h'), acc);
      const run = (rulesOn: 'built' | 'all') => estimate({ root: t, arch: ARCHES.x86_64, config: defaultConfig('x86_64'), cpus: 4, rulesOn });
      const files = (r: Awaited<ReturnType<typeof run>>) => r.diagnostics.filter((d) => d.code === 'PCPU003').map((d) => d.file).sort();
      assert.deepStrictEqual(files(await run('built')), ['kernel/built.c']);
      assert.deepStrictEqual(files(await run('all')), ['arch/arm/include/x.h', 'kernel/built.c', 'kernel/other.c']);
    } finally {
      fs.rmSync(t, { recursive: true, force: true });
    }
  });
});
