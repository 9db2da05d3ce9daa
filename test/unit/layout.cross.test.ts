// The layout engine against Debian's cross compilers: the same random GNU C types as layout.gcc.test.ts,
// compiled for each arch, sizes read back with `readelf -sW`. A compiler that is not installed skips its
// arch with a message (scripts/ensure-system-deps.sh installs them; see README "Layout truth").
import { compilerWorks } from './support/gccTruth';
import { assertLayoutMatchesCompiler } from './support/layoutTruth';
import { CROSS_TARGETS } from './support/crossTargets';

const COUNT = 600;
const SEED = 20261204;


describe('layout matches each cross gcc on random types', function () {
  this.timeout(180_000);
  for (const t of CROSS_TARGETS) {
    it(`${t.arch}: ${COUNT} random types (${t.cc} ${t.flags.join(' ')})`, async function () {
      const broken = compilerWorks(t.cc, t.flags, 'readelf');
      if (broken) {
        // visible in mocha's output as a pending test with this title
        this.test!.title += ` — SKIPPED: ${t.cc} not installed (apt-get install ${t.pkg})`;
        this.skip();
        return;
      }
      await assertLayoutMatchesCompiler(t.arch, t.cc, t.flags, COUNT, SEED, 'readelf');
    });
  }
});
