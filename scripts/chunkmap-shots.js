#!/usr/bin/env node
// Screenshots of the chunk map outside the editor: the real webview page (same HTML shell, CSP,
// bundled script and CSS) fed an estimate of a real tree, rendered by Debian's Chromium through
// playwright-core at several widths and themes. Also reports horizontal overflow and contrast.
//   node scripts/chunkmap-shots.js [TREE] [--config .config] [--compare other.config] [--out DIR]
// Themes: the CSS variables VS Code gave the webview, saved by the editor test as
// test-artifacts/theme-*.css; without them, a short built-in copy of Light/Dark Modern.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const esbuild = require('esbuild');
const { contrastAudit, overflowAudit } = require('../test/e2e/checks/a11y');
const { mouseReach } = require('../test/e2e/checks/chunkmap');

const REPO = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
const OUT = path.resolve(opt('--out', path.join(REPO, 'test-artifacts')));
const CONFIG = opt('--config', '/work/kbuild-defconfig/.config');
const COMPARE = opt('--compare', '');
const WIDTHS = opt('--widths', '600,1400').split(',').map(Number);
const TREE = args[0] || '/work/kernel/linux-source-6.12';

const FALLBACK = {
  light: '--vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; --vscode-editor-background: #ffffff; --vscode-foreground: #3b3b3b; --vscode-descriptionForeground: #3b3b3b; --vscode-panel-border: #e5e5e5; --vscode-focusBorder: #005fb8; --vscode-textLink-foreground: #005fb8; --vscode-textLink-activeForeground: #005fb8; --vscode-textCodeBlock-background: #f8f8f8; --vscode-input-background: #ffffff; --vscode-input-foreground: #3b3b3b; --vscode-input-border: #cecece; --vscode-button-secondaryBackground: #e5e5e5; --vscode-button-secondaryForeground: #3b3b3b; --vscode-charts-blue: #1a85ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #388a34; --vscode-charts-purple: #652d90; --vscode-list-hoverBackground: #f2f2f2; --vscode-editorHoverWidget-background: #f8f8f8; --vscode-editorHoverWidget-foreground: #3b3b3b; --vscode-editorHoverWidget-border: #c8c8c8',
  dark: '--vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; --vscode-editor-background: #1f1f1f; --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-panel-border: #2b2b2b; --vscode-focusBorder: #0078d4; --vscode-textLink-foreground: #4daafc; --vscode-textLink-activeForeground: #4daafc; --vscode-textCodeBlock-background: #2b2b2b; --vscode-input-background: #313131; --vscode-input-foreground: #cccccc; --vscode-input-border: #3c3c3c; --vscode-button-secondaryBackground: #00000000; --vscode-button-secondaryForeground: #cccccc; --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7; --vscode-list-hoverBackground: #2a2d2e; --vscode-editorHoverWidget-background: #202020; --vscode-editorHoverWidget-foreground: #cccccc; --vscode-editorHoverWidget-border: #454545',
};

function themes() {
  const t = {};
  for (const name of ['light', 'dark', 'hc-dark', 'hc-light']) {
    const f = path.join(REPO, 'test-artifacts', `theme-${name}.css`);
    if (fs.existsSync(f)) t[name] = { vars: fs.readFileSync(f, 'utf8'), from: 'editor' };
    else if (FALLBACK[name]) t[name] = { vars: FALLBACK[name], from: 'built-in' };
  }
  return t;
}

/** Loads a TypeScript module of the repository by bundling it in memory (no out/ needed). */
function load(entry) {
  const r = esbuild.buildSync({ entryPoints: [path.join(REPO, entry)], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
  const mod = { exports: {} };
  // eslint-disable-next-line no-new-func
  new Function('module', 'exports', 'require', '__dirname', '__filename', r.outputFiles[0].text)(mod, mod.exports, require, path.join(REPO, 'dist'), path.join(REPO, 'dist', 'x.js'));
  return mod.exports;
}

function estimateView(configPath) {
  const json = execFileSync(process.execPath, [path.join(REPO, 'dist/cli.js'), 'estimate', TREE, '--config', configPath, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const { toView } = load('src/vscode/realCore.ts');
  const { treeDiagnostics: _t, ...view } = toView(JSON.parse(json), { configPath });
  return view;
}

async function main() {
  execFileSync(process.execPath, ['esbuild.js'], { cwd: REPO, stdio: 'inherit' });
  fs.mkdirSync(OUT, { recursive: true });
  const views = [{ title: `x86_64 defconfig (${path.basename(TREE)})`, view: estimateView(CONFIG) }];
  const v = views[0].view;
  console.log(`estimate: ${v.static.length} static variables, ${v.dynamic.callsites.length} call sites; ${v.totals.bootLine}`);
  const states = { map: { views } };
  if (COMPARE) {
    const other = estimateView(COMPARE);
    // the comparison is made by the host (the core's pairing), as the extension does
    const { compareViews } = load('src/vscode/diffModel.ts');
    states.compare = { views: [views[0], { title: `${path.basename(COMPARE)} (${path.basename(TREE)})`, view: other }], comparison: compareViews(v, other) };
  }
  const { chunkMapHtml } = load('src/vscode/webviewHtml.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chunkmap-shots-'));
  fs.copyFileSync(path.join(REPO, 'media/chunkmap.css'), path.join(dir, 'chunkmap.css'));
  fs.copyFileSync(path.join(REPO, 'dist/webview/chunkmap.js'), path.join(dir, 'chunkmap.js'));
  const server = http.createServer((req, res) => {
    const f = path.join(dir, path.basename(req.url.split('?')[0]));
    if (!fs.existsSync(f)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': f.endsWith('.css') ? 'text/css' : f.endsWith('.js') ? 'text/javascript' : f.endsWith('.json') ? 'application/json' : 'text/html' });
    fs.createReadStream(f).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const nonce = 'shots' + Date.now();
  for (const [kind, state] of Object.entries(states)) {
    fs.writeFileSync(path.join(dir, `state-${kind}.json`), JSON.stringify(state));
    // stands in for VS Code's acquireVsCodeApi: the saved state is the estimate; messages are recorded
    fs.writeFileSync(path.join(dir, `stub-${kind}.js`), `window.__posted=[];window.acquireVsCodeApi=()=>{let s=${JSON.stringify(state)};return{postMessage:(m)=>window.__posted.push(m),getState:()=>s,setState:(x)=>{s=x;}};};`);
    let html = chunkMapHtml({ cspSource: origin, nonce, title: 'percpu chunk map', scriptUri: `${origin}/chunkmap.js`, styleUri: `${origin}/chunkmap.css` });
    html = html.replace('<script nonce', `<link href="${origin}/theme.css" rel="stylesheet"><script nonce="${nonce}" src="${origin}/stub-${kind}.js"></script>\n<script nonce`);
    fs.writeFileSync(path.join(dir, `${kind}.html`), html);
  }
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  let bad = 0;
  try {
    for (const [theme, t] of Object.entries(themes())) {
      fs.writeFileSync(path.join(dir, 'theme.css'), `html { ${t.vars} }\nbody { margin: 0; }`);
      for (const [kind, state] of Object.entries(states)) {
        for (const width of WIDTHS) {
          const page = await browser.newPage({ viewport: { width, height: 900 } });
          const errors = [];
          page.on('pageerror', (e) => errors.push(e.message));
          page.on('console', (m) => { if (m.type() === 'error' && !/favicon|404/.test(m.text())) errors.push(m.text()); });
          await page.goto(`${origin}/${kind}.html`);
          await page.waitForSelector('#chunkmap .bootline', { state: 'attached' });
          await page.waitForTimeout(300);
          const file = path.join(OUT, `chunkmap-${kind}-${theme}-${width}.png`);
          await page.screenshot({ path: file, fullPage: true });
          await page.screenshot({ path: file.replace(/\.png$/, '-top.png') });
          const ov = await page.evaluate(overflowAudit);
          const ct = await page.evaluate(contrastAudit);
          // blocks the mouse can hit (narrow ones through their groups), as the editor test counts them
          let reach = '';
          if (kind === 'map') {
            const st = await page.evaluate(mouseReach, '.bar.zoom-static');
            const dy = await page.evaluate(mouseReach, '.bar.zoom-dynamic');
            const nStatic = new Set(st.reached.map((r) => r.label)).size;
            const nAlloc = dy.reached.filter((r) => r.kind === 'kind-alloc').length;
            const wantAlloc = state.views[0].view.snapshot.chunks.find((c) => c.kind === 'first').blocks.filter((b) => b.kind === 'alloc').length;
            reach = `, mouse reaches ${nStatic}/${state.views[0].view.static.length} static and ${nAlloc}/${wantAlloc} first-chunk dynamic blocks (${st.zooms + dy.zooms} zooms, ${st.nProblems + dy.nProblems} problems)`;
            if (st.nProblems + dy.nProblems) errors.push(...st.problems, ...dy.problems);
          }
          const ok = ov.scrollWidth <= ov.clientWidth && !ct.failures.length && !errors.length;
          if (!ok) bad++;
          console.log(`${ok ? 'ok  ' : 'BAD '} ${path.relative(REPO, file)} (theme from ${t.from}): scrollWidth ${ov.scrollWidth}/${ov.clientWidth}` +
            `, contrast: ${ct.checked} checked, worst ${ct.worst}, ${ct.failures.length} below AA${reach}${errors.length ? `, errors: ${errors.join('; ')}` : ''}`);
          for (const f of ct.failures.slice(0, 6)) console.log(`     ${JSON.stringify(f)}`);
          for (const f of ov.offenders) console.log(`     overflow ${JSON.stringify(f)}`);
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(bad ? 1 : 0);
}
main().catch((e) => { console.error(e); process.exit(2); });
