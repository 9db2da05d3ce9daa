// Editor logic that needs no vscode: formatting, escaping, webview message checks, settings parsing,
// the webview page shell, .config facts.
import * as assert from 'assert';
import { formatBytes, formatNrCpusArray, formatPerCpu } from '../../src/core/report/format';
import { CODES, CODE_IDS, docsUrl } from '../../src/core/rules/codes';
import { escapeHtml, makeNonce } from '../../src/vscode/escape';
import { isSafeRelativePath, parsePanelState, parseWebviewMessage, type PanelState } from '../../src/vscode/messages';
import { parseSettings, profileLabel } from '../../src/vscode/settings';
import { chunkMapHtml, contentSecurityPolicy } from '../../src/vscode/webviewHtml';
import { configFacts } from '../../src/vscode/profile';
import type { EstimateView } from '../../src/vscode/core';
import { DEFAULT_EXCLUDE } from '../../src/core/estimate';

const XSS = '<img src=x onerror=alert(1)>';

describe('format', () => {
  it('prints binary units like the kernel', () => {
    assert.strictEqual(formatBytes(0), '0 B');
    assert.strictEqual(formatBytes(64), '64 B');
    assert.strictEqual(formatBytes(1023), '1023 B');
    assert.strictEqual(formatBytes(1024), '1 KiB');
    assert.strictEqual(formatBytes(1536), '1.5 KiB');
    assert.strictEqual(formatBytes(32 * 1024), '32 KiB');
    assert.strictEqual(formatBytes(2 << 20), '2 MiB');
    assert.strictEqual(formatBytes(600 * 1024), '600 KiB');
    assert.strictEqual(formatBytes(9600), '9.4 KiB');
    assert.strictEqual(formatBytes(-1), '? B');
  });
  it('per-CPU cost line', () => {
    assert.strictEqual(formatPerCpu(64, 512), '64 B/cpu × 512 = 32 KiB');
    assert.strictEqual(formatPerCpu(64, 512, 2000), '64 B/cpu × 512 × 2000 = 62.5 MiB');
    assert.strictEqual(formatNrCpusArray(16, 512), '512 × 16 B = 8 KiB (NR_CPUS)');
  });
});

describe('codes', () => {
  it('has PCPU000..PCPU007 with README anchors', () => {
    assert.deepStrictEqual(CODE_IDS, ['PCPU000', 'PCPU001', 'PCPU002', 'PCPU003', 'PCPU004', 'PCPU005', 'PCPU006', 'PCPU007']);
    for (const id of CODE_IDS) assert.strictEqual(CODES[id].id, id);
    assert.match(docsUrl('PCPU003'), /README\.md#pcpu003$/);
  });
});

describe('escape', () => {
  it('escapes markup characters', () => {
    assert.strictEqual(escapeHtml(XSS), '&lt;img src=x onerror=alert(1)&gt;');
    assert.strictEqual(escapeHtml(`"'&\``), '&quot;&#39;&amp;&#96;');
  });
  it('nonces are fresh and alphanumeric', () => {
    const a = makeNonce(); const b = makeNonce();
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notStrictEqual(a, b);
  });
});

describe('webview html', () => {
  it('has a strict CSP and no data in the markup', () => {
    const csp = contentSecurityPolicy('vscode-resource:', 'abc');
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-abc'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    const html = chunkMapHtml({ cspSource: 'vscode-resource:', nonce: 'abc', scriptUri: 'x.js', styleUri: 'y.css', title: XSS });
    assert.ok(!html.includes(XSS));
    assert.match(html, /<script nonce="abc" src="x.js"><\/script>/);
    assert.strictEqual((html.match(/<script/g) ?? []).length, 1);
  });
});

function view(files: string[]): EstimateView {
  return {
    root: '/k', arch: 'x86_64', nrCpus: 8, possibleCpus: 8, filesScanned: files.length,
    totals: { staticBytes: 8, reservedBytes: 0, dynamicBytes: 0, dynamicRequested: 0, nrCpusArrayBytes: 0, bootLine: '' },
    static: files.map((f, i) => ({ name: `v${i}`, file: f, line: 3, size: 8, align: 8, section: '.data..percpu' })),
    dynamic: { callsites: [] }, nrCpusArrays: [], unresolved: [],
    snapshot: { unitSize: 4096, pageSize: 4096, nrUnits: 8, nrPossibleCpus: 8,
      firstChunk: { static: 8, reserved: 0, dynamic: 4088, unitSize: 4096, bootLine: '' }, chunks: [] },
  };
}

describe('webview messages', () => {
  const state: PanelState = { views: [{ title: 't', view: view(['kernel/a.c', `${XSS}.c`]) }] };
  it('accepts open of a file the estimate reported', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'open', viewIndex: 0, file: 'kernel/a.c', line: 3 }, state),
      { type: 'open', viewIndex: 0, file: 'kernel/a.c', line: 3 });
    assert.ok(parseWebviewMessage({ type: 'open', viewIndex: 0, file: `${XSS}.c`, line: 1 }, state));
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready' }, state), { type: 'ready' });
  });
  it('rejects anything else', () => {
    const bad: unknown[] = [
      null, 'open', 42, {}, { type: 'exec', cmd: 'rm' },
      { type: 'open', viewIndex: 0, file: '/etc/passwd', line: 1 },
      { type: 'open', viewIndex: 0, file: '../x.c', line: 1 },
      { type: 'open', viewIndex: 0, file: 'kernel/../kernel/a.c', line: 1 },
      { type: 'open', viewIndex: 0, file: 'kernel/b.c', line: 1 },
      { type: 'open', viewIndex: 0, file: 'kernel/a.c', line: 0 },
      { type: 'open', viewIndex: 0, file: 'kernel/a.c', line: 1.5 },
      { type: 'open', viewIndex: 0, file: 'kernel/a.c', line: '3' },
      { type: 'open', viewIndex: 1, file: 'kernel/a.c', line: 3 },
      { type: 'open', viewIndex: -1, file: 'kernel/a.c', line: 3 },
      { type: 'ready', extra: 1 },
    ];
    for (const m of bad) assert.strictEqual(parseWebviewMessage(m, state), undefined, JSON.stringify(m));
    assert.strictEqual(parseWebviewMessage({ type: 'open', viewIndex: 0, file: 'kernel/a.c', line: 3 }, undefined), undefined);
  });
  it('path check', () => {
    for (const p of ['a.c', 'a/b.c', `${XSS}.c`]) assert.ok(isSafeRelativePath(p), p);
    for (const p of ['', '/a', 'C:/a', 'a\\b', 'a//b', './a/../..', 'a\0b']) assert.ok(!isSafeRelativePath(p), p);
  });
  it('restored state keeps only well-formed views', () => {
    assert.strictEqual(parsePanelState(undefined), undefined);
    assert.strictEqual(parsePanelState({ views: [{ title: 1 }] }), undefined);
    assert.strictEqual(parsePanelState({ views: [{ title: 't', view: view([]) }] })?.views.length, 1);
  });
});

describe('settings', () => {
  const from = (o: Record<string, unknown>) => parseSettings((k) => o[k]);
  it('defaults', () => {
    const { settings, problems } = from({});
    assert.deepStrictEqual(problems, []);
    assert.strictEqual(settings.arch, 'x86_64');
    assert.strictEqual(settings.nrCpus, 512);
    assert.strictEqual(settings.possibleCpus, 512);
    assert.strictEqual(settings.instances, 1);
    assert.strictEqual(profileLabel(settings), 'x86_64 · 512 CPUs');
  });
  it('declares the same defaults in package.json as the code uses', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const props = require('../../../package.json').contributes.configuration.properties;
    const { settings } = from({});
    assert.deepStrictEqual(props['percpuLens.exclude'].default, settings.exclude);
    assert.deepStrictEqual(settings.exclude, [...DEFAULT_EXCLUDE]);
    assert.strictEqual(props['percpuLens.nrCpus'].default, settings.nrCpus);
    assert.strictEqual(props['percpuLens.arch'].default, settings.arch);
  });
  it('reads valid values', () => {
    const { settings, problems } = from({ arch: 'aarch64', nrCpus: 64, possibleCpus: 8, configPath: ' /k/.config ', kernelVersion: '6.12',
      include: ['kernel/**'], exclude: [], callsiteCounts: { 'net/core/dev.c:12': 64 }, instances: 2000 });
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(settings, { arch: 'arm64', nrCpus: 64, possibleCpus: 8, configPath: '/k/.config', kernel: '6.12',
      include: ['kernel/**'], exclude: [], counts: { 'net/core/dev.c:12': 64 }, instances: 2000 });
    assert.strictEqual(profileLabel(settings), 'arm64 · 8/64 CPUs · .config');
  });
  it('an untrusted workspace cannot set the settings that read a file or run make (restrictedConfigurations)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const restricted: string[] = require('../../../package.json').capabilities.untrustedWorkspaces.restrictedConfigurations;
    assert.deepStrictEqual([...restricted].sort(), ['percpuLens.buildDir', 'percpuLens.configPath', 'percpuLens.crossCompile']);
  });
  it('buildDir: a folder path, trimmed; null, unset or blank: none', () => {
    assert.strictEqual(from({ buildDir: ' out/arm64 ' }).settings.buildDir, 'out/arm64');
    assert.strictEqual(from({ buildDir: null }).settings.buildDir, undefined);
    assert.strictEqual(from({}).settings.buildDir, undefined);
    for (const bad of ['  ', 7]) {
      const { settings, problems } = from({ buildDir: bad });
      assert.strictEqual(settings.buildDir, undefined);
      assert.match(problems.join('\n'), /percpuLens\.buildDir: expected the path of a build folder/);
    }
  });
  it('crossCompile: a CROSS_COMPILE prefix, "" for the host gcc; null or unset keeps the model', () => {
    assert.strictEqual(from({ crossCompile: ' aarch64-linux-gnu- ' }).settings.crossCompile, 'aarch64-linux-gnu-');
    assert.strictEqual(from({ crossCompile: '' }).settings.crossCompile, '');
    assert.strictEqual(from({ crossCompile: null }).settings.crossCompile, undefined);
    assert.strictEqual(from({}).settings.crossCompile, undefined);
    for (const bad of ['gcc; rm -rf /', 7, 'a b-']) {
      const { settings, problems } = from({ crossCompile: bad });
      assert.strictEqual(settings.crossCompile, undefined);
      assert.match(problems.join('\n'), /percpuLens\.crossCompile: expected a CROSS_COMPILE prefix/);
    }
  });
  it('reports and replaces bad values', () => {
    const { settings, problems } = from({ arch: 'vax', nrCpus: -1, possibleCpus: 'x', kernelVersion: 'six', include: 'a',
      callsiteCounts: { 'nocolon': 1, 'a.c:1': -2, 'b.c:2': 3 }, instances: 0 });
    assert.strictEqual(settings.arch, 'x86_64');
    assert.strictEqual(settings.nrCpus, 512);
    assert.strictEqual(settings.possibleCpus, 512);
    assert.strictEqual(settings.kernel, undefined);
    assert.deepStrictEqual(settings.counts, { 'b.c:2': 3 });
    assert.strictEqual(settings.instances, 1);
    assert.strictEqual(problems.length, 8);
  });
  it('caps possible CPUs at NR_CPUS', () => {
    const { settings, problems } = from({ nrCpus: 4, possibleCpus: 8 });
    assert.strictEqual(settings.possibleCpus, 4);
    assert.strictEqual(problems.length, 1);
  });
});

describe('.config facts', () => {
  it('reads arch and NR_CPUS', () => {
    assert.deepStrictEqual(configFacts('CONFIG_ARM64=y\nCONFIG_SMP=y\nCONFIG_NR_CPUS=256\n', '.config'), { fragment: true, arch: 'arm64', smp: true, nrCpus: 256 });
    assert.deepStrictEqual(configFacts('CONFIG_X86_32=y\n# CONFIG_SMP is not set\n', '.config'), { fragment: true, arch: 'i386', smp: false, nrCpus: 1 });
    assert.deepStrictEqual(configFacts('', '.config'), { fragment: true });
  });
});
