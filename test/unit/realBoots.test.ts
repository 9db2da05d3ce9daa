// Real boots of Debian's 6.12 kernels under QEMU (scripts/real-boot.js; test/fixtures/boots/FLAVOUR-CPUS.log):
// the first-chunk model, given the static size of that kernel's vmlinux (__per_cpu_end -
// __per_cpu_start, which scripts/real-kernels.js compares with the estimate) and its .config's
// page size, prints the boot's own "percpu: Embedded ..." line.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildFirstChunk } from '../../src/core/sim';
import { FLAVOURS } from './support/debianFlavours';

const DIR = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'boots');


describe('real boots: the first-chunk line of Debian 6.12 kernels', () => {
  const logs = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.endsWith('.log')) : [];
  it('has recorded boots', () => assert.ok(logs.length >= 4, `fixtures in ${DIR}`));
  for (const f of logs) {
    const m = /^(.+)-(\d+)\.log$/.exec(f);
    const fl = m && FLAVOURS[m[1]];
    if (!m || !fl) continue;
    it(`${m[1]} at ${m[2]} CPUs`, () => {
      const text = fs.readFileSync(path.join(DIR, f), 'utf8');
      const line = /percpu: Embedded \d+ pages\/cpu s(\d+) r\d+ d\d+ u\d+/.exec(text);
      assert.ok(line, `${f}: no percpu: Embedded line`);
      const fc = buildFirstChunk({ arch: fl.arch, kernel: '6.12', static: Number(line[1]), cpus: Number(m[2]), nrCpus: fl.nrCpus, pageSize: fl.pageSize });
      assert.strictEqual(fc.bootLine, line[0]);
    });
  }
});
