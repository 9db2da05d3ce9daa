// The one profile in force (src/vscode/profile.ts) and the .config picker's order
// (src/vscode/configCandidates.ts). .config texts start with the lines Kconfig writes.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configFacts, resolveProfile } from '../../src/vscode/profile';
import { configCandidates } from '../../src/vscode/configCandidates';
import { parseSettings, profileLabel } from '../../src/vscode/settings';

const HEAD = '#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.12.118 Kernel Configuration\n#\n';
const X86 = `${HEAD}CONFIG_64BIT=y\nCONFIG_X86_64=y\nCONFIG_X86=y\nCONFIG_SMP=y\nCONFIG_NR_CPUS=64\nCONFIG_PAGE_SHIFT=12\n`;
const ARM64_16K = `${HEAD}CONFIG_64BIT=y\nCONFIG_ARM64=y\nCONFIG_SMP=y\nCONFIG_NR_CPUS=256\nCONFIG_ARM64_16K_PAGES=y\nCONFIG_PAGE_SHIFT=14\n`;
const UP = `${HEAD}CONFIG_64BIT=y\nCONFIG_X86_64=y\nCONFIG_X86=y\n# CONFIG_SMP is not set\n`;
const RV32 = `${HEAD}CONFIG_RISCV=y\nCONFIG_32BIT=y\n# CONFIG_64BIT is not set\nCONFIG_SMP=y\nCONFIG_NR_CPUS=8\n`;
// no arch symbol the reader knows, but its word size
const NOARCH32 = `${HEAD}# CONFIG_64BIT is not set\nCONFIG_SMP=y\nCONFIG_NR_CPUS=8\n`;

const files: Record<string, string> = {
  '/k/.config': X86, '/k/arm/.config': ARM64_16K, '/k/up/.config': UP, '/k/rv32/.config': RV32,
  '/k/arch/arm64/configs/defconfig': 'CONFIG_SMP=y\nCONFIG_NR_CPUS=512\n', '/k/noarch/.config': NOARCH32,
};
const read = (f: string) => {
  if (files[f] === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  return files[f];
};
const resolve = (o: Record<string, unknown>) => resolveProfile(parseSettings((k) => o[k]), read, '/k');

describe('profile: one resolution for every view', () => {
  it('takes NR_CPUS from the .config in force, possible CPUs following it', () => {
    const { profile, settings } = resolve({ arch: 'x86_64', nrCpus: 512, configPath: '.config' });
    assert.deepStrictEqual(profile, { arch: 'x86_64', nrCpus: 64, possibleCpus: 64, pageSize: 4096, nrCpusFrom: '.config', problems: [], configPath: '/k/.config' });
    assert.strictEqual(settings.nrCpus, 64);
    assert.strictEqual(settings.possibleCpus, 64);
    assert.strictEqual(settings.configPath, '/k/.config');
    assert.strictEqual(profileLabel(settings), 'x86_64 · 64 CPUs · .config');
  });

  it('refuses a .config made for another arch, and says so', () => {
    const { profile, settings } = resolve({ arch: 'arm64', nrCpus: 256, configPath: '/k/.config' });
    assert.strictEqual(profile.configPath, undefined);
    assert.strictEqual(settings.configPath, undefined);
    assert.deepStrictEqual([profile.arch, profile.nrCpus, profile.possibleCpus, profile.nrCpusFrom], ['arm64', 256, 256, 'setting']);
    assert.deepStrictEqual(profile.problems, ['/k/.config is a x86_64 .config but the arch profile is arm64: the .config is not used (choose it again to switch arch, or clear it)']);
    assert.strictEqual(profileLabel(settings), 'arm64 · 256 CPUs');
  });

  it('refuses a 32-bit .config under a 64-bit profile (riscv32 symbols, or CONFIG_64BIT alone)', () => {
    const rv = resolve({ arch: 'riscv64', configPath: '/k/rv32/.config' }).profile;
    assert.strictEqual(rv.configPath, undefined);
    assert.match(rv.problems[0], /is a riscv32 \.config but the arch profile is riscv64/);
    const bits = resolve({ arch: 'x86_64', configPath: '/k/noarch/.config' }).profile;
    assert.strictEqual(bits.configPath, undefined);
    assert.match(bits.problems[0], /is a 32-bit \.config \(CONFIG_64BIT\) but x86_64 is 64-bit/);
  });

  it('reads the page size of the .config', () => {
    const { profile, settings } = resolve({ arch: 'arm64', configPath: '/k/arm/.config', possibleCpus: 8 });
    assert.deepStrictEqual([profile.nrCpus, profile.possibleCpus, profile.pageSize], [256, 8, 16384]);
    assert.strictEqual(settings.pageShift, 14);
    assert.strictEqual(profileLabel(settings), 'arm64 · 8/256 CPUs · 16K pages · .config');
  });

  it('caps possible CPUs at the .config\'s NR_CPUS; a UP kernel has one CPU', () => {
    assert.strictEqual(resolve({ configPath: '/k/.config', possibleCpus: 128 }).profile.possibleCpus, 64);
    const up = resolve({ configPath: '/k/up/.config' }).profile;
    assert.deepStrictEqual([up.nrCpus, up.possibleCpus], [1, 1]);
  });

  it('reports an unreadable .config and uses the settings', () => {
    const { profile } = resolve({ nrCpus: 32, configPath: '/k/gone/.config' });
    assert.deepStrictEqual([profile.configPath, profile.nrCpus], [undefined, 32]);
    assert.match(profile.problems[0], /^cannot read \/k\/gone\/\.config: ENOENT/);
  });

  it('uses a defconfig fragment of the same arch, saying it is not a full .config', () => {
    const { profile } = resolve({ arch: 'arm64', configPath: '/k/arch/arm64/configs/defconfig' });
    assert.deepStrictEqual([profile.configPath, profile.nrCpus], ['/k/arch/arm64/configs/defconfig', 512]);
    assert.match(profile.problems.join('\n'), /defconfig fragment, not a full \.config/);
    assert.strictEqual(configFacts('CONFIG_NR_CPUS=8\n', '/k/arch/x86/configs/i386_defconfig').arch, 'i386');
    assert.strictEqual(configFacts('', '/k/arch/x86/configs/x86_64_defconfig').arch, 'x86_64');
    assert.strictEqual(configFacts('', '/k/arch/powerpc/configs/ppc64_defconfig').arch, 'ppc64');
    assert.strictEqual(configFacts('', '/k/arch/x86/configs/tiny.config').arch, undefined); // x86_64 or i386
    assert.strictEqual(configFacts('', '/k/arch/nosuch/configs/defconfig').arch, undefined);
  });
});

describe('.config picker order', () => {
  let tmp: string;
  const w = (rel: string, text = '') => {
    const f = path.join(tmp, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  };
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-pick-'));
    w('src/linux/.config', X86);
    w('src/linux/Makefile', 'VERSION = 6\n');
    w('src/linux/arch/arc/configs/haps_hs_defconfig');
    w('src/linux/arch/arm64/configs/defconfig');
    w('src/linux/arch/arm64/configs/virt.config');
    w('src/linux/arch/x86/configs/x86_64_defconfig');
    w('src/linux/kernel/configs/debug.config');
    // make O=../build-arm: kbuild's Makefile and `source` link
    w('src/build-arm/.config', ARM64_16K);
    w('src/build-arm/Makefile', `# Automatically generated by ${tmp}/src/linux/Makefile: don't edit\ninclude ${tmp}/src/linux/Makefile\n`);
    fs.symlinkSync(path.join(tmp, 'src/linux'), path.join(tmp, 'src/build-arm/source'));
    // an O= folder of another tree, known by its include/config/auto.conf, two levels up
    w('other-build/.config', X86);
    w('other-build/include/config/auto.conf', 'CONFIG_X86_64=y\n');
    // a folder with a .config but no kbuild Makefile: not a build folder
    w('src/notes/.config', X86);
    w('boot/config-6.1.0-28-amd64', X86);
    w('boot/config-6.12.1-amd64', X86);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('offers real .config files first, then the selected arch\'s defconfigs, then the others', () => {
    const root = path.join(tmp, 'src/linux');
    const c = configCandidates({ roots: [root], arch: 'arm64', bootDir: path.join(tmp, 'boot'), found: [path.join(root, 'kernel/configs/debug.config'), path.join(root, '.config')] });
    assert.deepStrictEqual(c.map((x) => [path.relative(tmp, x.file), x.group]), [
      ['src/linux/.config', 'tree'],
      ['src/build-arm/.config', 'build'],
      ['other-build/.config', 'build'],
      ['boot/config-6.12.1-amd64', 'boot'],
      ['boot/config-6.1.0-28-amd64', 'boot'],
      ['src/linux/arch/arm64/configs/defconfig', 'defconfig'],
      ['src/linux/arch/arm64/configs/virt.config', 'defconfig'],
      ['src/linux/arch/arc/configs/haps_hs_defconfig', 'defconfig'],
      ['src/linux/arch/x86/configs/x86_64_defconfig', 'defconfig'],
      ['src/linux/kernel/configs/debug.config', 'fragment'],
    ]);
    assert.strictEqual(c[1].source, root);
  });

  it('puts the x86 defconfigs first when x86_64 is selected', () => {
    const root = path.join(tmp, 'src/linux');
    const c = configCandidates({ roots: [root], arch: 'x86_64', bootDir: path.join(tmp, 'none') }).filter((x) => x.group === 'defconfig');
    assert.strictEqual(path.relative(root, c[0].file), 'arch/x86/configs/x86_64_defconfig');
  });
});
