// Chunk-map checks at kernel scale, run by test/e2e/run.js after its own checks: a generated tree
// with hundreds of per-CPU variables and call sites (test/e2e/gen-tree.js, written into the test's
// temporary folder) is opened in code-server and its chunk map driven with the real mouse and
// keyboard: every block reachable, search, sort, drill-down, tab order, 600 px, contrast in four
// themes, and compare with deltas. Expected numbers come from the CLI's estimate of the same tree.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { generate } = require('../gen-tree');
const { contrastAudit, overflowAudit, themeVariables } = require('./a11y');

// [artifact name, label in "Preferences: Color Theme", the workbench's class for its kind]
const THEMES = [['dark', 'Dark Modern', 'vs-dark'], ['light', 'Light Modern', 'vs'], ['hc-dark', 'Dark High Contrast', 'hc-black'], ['hc-light', 'Light High Contrast', 'hc-light']];

/** Switches the workbench to a colour theme (label as the picker lists it, kind the workbench's class). */
async function pickTheme(page, until, label, kind) {
  await page.locator('.monaco-editor .view-lines').first().click(); // keys to the workbench, not the webview
  // Ctrl+K Ctrl+T: the theme picker itself (the palette may rank "Browse Color Themes" first)
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(label);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await until(`theme ${label}`, async () => (await page.locator(`.monaco-workbench.${kind}`).count()) > 0, 15_000);
  await page.waitForTimeout(500); // the webview gets the new variables by message
}

function cliEstimate(REPO, dir, config) {
  const args = [path.join(REPO, 'dist/cli.js'), 'estimate', dir, '--json', ...(config ? ['--config', config] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`CLI estimate of the generated tree failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * In the page: every item of a memory bar is at least 8 px wide and is what the browser hits at its
 * centre; groups are clicked (zoom in) and their blocks visited, then zoomed out. Returns the blocks reached.
 */
async function mouseReach(sel) {
  const bar = document.querySelector(sel);
  const wrap = bar.closest('.barwrap');
  const reached = [];
  const problems = [];
  let zooms = 0;
  const visit = (depth) => {
    if (depth > 12) { problems.push('zoom too deep'); return; }
    bar.scrollIntoView({ block: 'center' });
    const n = bar.querySelectorAll('.block').length;
    for (let i = 0; i < n; i++) {
      const it = bar.querySelectorAll('.block')[i];
      const r = it.getBoundingClientRect();
      // layout units are 1/64 px
      if (r.width < 7.9) problems.push(`${it.dataset.label || it.dataset.count} is ${r.width.toFixed(1)} px wide`);
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !(hit === it || it.contains(hit))) { problems.push(`the mouse does not hit ${it.dataset.label || it.dataset.count + ' blocks'}`); continue; }
      if (it.classList.contains('cluster')) {
        hit.click();
        zooms++;
        visit(depth + 1);
        wrap.querySelector('.zoom-out').click();
        bar.scrollIntoView({ block: 'center' });
      } else {
        reached.push({ label: it.dataset.label, offset: +it.dataset.offset, kind: [...it.classList].find((c) => c.startsWith('kind-')) });
      }
    }
  };
  visit(0);
  return { reached, problems: problems.slice(0, 5), nProblems: problems.length, zooms };
}

async function run(h) {
  const { page, check, assert, until, shot, runCommand, log, norm, REPO, tmp, port, ART } = h;
  const ws = path.join(tmp, 'gen-kernel');
  const gen = generate(ws);
  const exp = cliEstimate(REPO, ws);
  const expB = cliEstimate(REPO, ws, path.join(ws, 'configs/gen-b.config'));
  const expA = cliEstimate(REPO, ws, path.join(ws, 'configs/gen-a.config'));
  log(`generated tree: ${gen.statics.length} + 2 variables, ${gen.allocs.length} call sites; CLI: ${exp.static.variables.length} variables, ${exp.dynamic.callsites.length} call sites, ${exp.firstChunk.bootLine}`);
  const nStatic = exp.static.variables.length;
  const nCalls = exp.dynamic.callsites.length;
  let frame;

  const findFrame = (pred) => until('the chunk-map webview', async () => {
    for (const f of page.frames()) {
      try { if (await pred(f)) return f; } catch { /* detached */ }
    }
    return undefined;
  }, 40_000, 400);

  await check('kernel scale: the chunk map of a generated tree opens with every variable and call site', async () => {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await until('the explorer', () => page.locator('.explorer-folders-view .monaco-list-row').count(), 30_000);
    await runCommand(page, 'percpu-lens: Estimate percpu footprint');
    frame = await findFrame(async (f) => norm(await f.locator('[data-k="found"]').first().textContent({ timeout: 500 })).includes(`${nStatic} static variables`));
    const found = norm(await frame.locator('[data-k="found"]').textContent());
    assert(found.startsWith(`${nStatic} static variables, ${nCalls} call sites`), `found: ${found}`);
    const cap = norm(await frame.locator('#t-static-0 caption .cap-title').textContent());
    assert(cap === `Static per-CPU variables: ${nStatic}`, `caption ${cap}`);
    assert((await frame.locator('#t-static-0 tbody tr').count()) === 50, 'the static table is not paged by 50');
    assert((await frame.locator('img').count()) === 0, 'an <img> element exists in the webview');
    assert(norm(await frame.locator('.groups').textContent()).includes('<img src=x onerror=alert(1)>.c'), 'the hostile file name is not shown as text');
    await shot(page, '11-chunkmap-kernel-scale');
  });

  await check('every static and dynamic block can be hit with the mouse (narrow ones through zoomable groups)', async () => {
    assert(frame, 'no webview frame');
    const st = await frame.evaluate(mouseReach, '.bar.zoom-static');
    assert(st.nProblems === 0, `${st.nProblems} problems: ${st.problems.join('; ')}`);
    const names = new Set(st.reached.map((r) => r.label));
    const missing = exp.static.variables.filter((v) => !names.has(v.name)).map((v) => v.name);
    assert(missing.length === 0, `static blocks not reached: ${missing.slice(0, 5).join(', ')} (${missing.length})`);
    let allocs = 0;
    for (const sel of ['.bar.zoom-dynamic', ...(await frame.locator('.bar.zoom-chunk').count() ? ['.bar.zoom-chunk'] : [])]) {
      const d = await frame.evaluate(mouseReach, sel);
      assert(d.nProblems === 0, `${sel}: ${d.problems.join('; ')}`);
      allocs += d.reached.filter((r) => r.kind === 'kind-alloc').length;
    }
    assert(allocs === nCalls, `${allocs} dynamic blocks reached, want ${nCalls}`);
    log(`     mouse: ${names.size} static blocks (${st.zooms} group zooms), ${allocs} dynamic blocks`);
    // and once with the real mouse: a group zooms in, "Zoom out" goes back
    const cluster = frame.locator('.bar.zoom-static .cluster').first();
    const n = Number(await cluster.getAttribute('data-count'));
    await cluster.click();
    await until('zoomed in', async () => (await frame.locator('.barwrap .zoom-out:visible').count()) > 0 && (await frame.locator('.bar.zoom-static .block').count()) >= n, 5_000);
    await shot(page, '12-chunkmap-zoomed');
    await frame.locator('.barwrap .zoom-out:visible').first().click();
  });

  await check('every static block can be reached with the keyboard (arrows, Enter zooms in, Escape zooms out)', async () => {
    assert(frame, 'no webview frame');
    await frame.locator('.view h3').first().click(); // the webview takes the keyboard
    await frame.locator('.bar.zoom-static .block').first().focus();
    const seen = new Set();
    const done = new Set();
    const state = () => frame.evaluate(() => {
      const a = document.activeElement;
      const items = [...a.parentElement.children];
      const depth = a.closest('.bar').dataset.depth;
      return { cluster: a.classList.contains('cluster'), label: a.dataset.label, key: `${depth}:${a.dataset.offset}`, last: items.indexOf(a) === items.length - 1, zoomed: depth !== '0' };
    });
    for (let steps = 0; steps < 3000; steps++) {
      const s = await state();
      if (s.cluster && !done.has(s.key)) { done.add(s.key); await page.keyboard.press('Enter'); continue; }
      if (!s.cluster) seen.add(s.label);
      if (!s.last) { await page.keyboard.press('ArrowRight'); continue; }
      if (!s.zoomed) break;
      await page.keyboard.press('Escape'); // back on the group just visited, one level up
    }
    const missing = exp.static.variables.filter((v) => !seen.has(v.name));
    assert(missing.length === 0, `${missing.length} static blocks not reached by keyboard, e.g. ${missing.slice(0, 3).map((v) => v.name).join(', ')}`);
    log(`     keyboard: ${seen.size} blocks, ${done.size} groups entered`);
  });

  await check('tab order: a skip link first, few tab stops before the tables, the skip link reaches them', async () => {
    assert(frame, 'no webview frame');
    // a click on the toolbar's empty end puts the start of Tab navigation at the top of the page
    await frame.evaluate(() => window.scrollTo(0, 0));
    const tb = await frame.locator('.toolbar').boundingBox();
    await frame.locator('.toolbar').click({ position: { x: tb.width - 3, y: 3 } });
    const stops = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const d = await frame.evaluate(() => { const a = document.activeElement; return { tag: a.tagName, cls: a.className, inTables: !!a.closest('.tables') }; });
      if (d.inTables) break;
      stops.push(`${d.tag}.${d.cls}`);
    }
    assert(stops[0] === 'A.skip', `first tab stop: ${stops[0]}`);
    assert(stops.length <= 12, `${stops.length} tab stops before the tables: ${stops.join(', ')}`);
    log(`     ${stops.length} tab stops before the tables: ${stops.join(', ')}`);
    await frame.evaluate(() => document.activeElement.blur());
    await frame.locator('a.skip').focus();
    await page.keyboard.press('Enter');
    assert(await frame.evaluate(() => document.activeElement.id === 'tables-0'), 'the skip link did not move focus to the tables');
  });

  const staticRows = async () => (await frame.locator('#t-static-0 tbody tr td:first-child').allTextContents()).map(norm);
  await check('search highlights blocks and filters the tables and the subsystem rows', async () => {
    assert(frame, 'no webview frame');
    const q = 'kernel_sched';
    const want = exp.static.variables.filter((v) => `${v.name} ${v.file}`.includes(q)).length;
    const wantCalls = exp.dynamic.callsites.filter((c) => `${c.expr} ${c.file}`.includes(q)).length;
    await frame.locator('#cm-search').fill(q);
    await until('filtered caption', async () => norm(await frame.locator('#t-static-0 .cap-title').textContent()) === `Static per-CPU variables: ${want} of ${nStatic}`, 5_000);
    assert(norm(await frame.locator('#t-dynamic-0 .cap-title').textContent()) === `Dynamic allocation call sites: ${wantCalls} of ${nCalls}`, 'call-site table not filtered');
    assert((await staticRows()).every((t) => t.includes(q)), 'a row that does not match');
    const matches = await frame.locator('.bar.zoom-static .match').count();
    const others = await frame.locator('.bar.zoom-static .nomatch').count();
    assert(matches > 0 && others > 0, `highlight: ${matches} matching, ${others} other blocks`);
    const rows = (await frame.locator('.groups .g-name').allTextContents()).map(norm);
    assert(rows.join('|') === 'kernel/sched/', `subsystem rows while searching: ${rows.join('|')}`);
    assert(norm(await frame.locator('#cm-count').textContent()).startsWith(`${want + wantCalls} of ${nStatic + nCalls}`), 'match count');
    await shot(page, '13-chunkmap-search');
    await frame.locator('#cm-search').press('Escape');
    await until('search cleared', async () => norm(await frame.locator('#t-static-0 .cap-title').textContent()) === `Static per-CPU variables: ${nStatic}`, 5_000);
  });

  await check('sort: biggest first by default; the size and file headers sort both ways', async () => {
    assert(frame, 'no webview frame');
    // ties in file:line order, as the CLI lists them
    const byLoc = (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
    const desc = [...exp.static.variables].sort((a, b) => b.size - a.size || byLoc(a, b));
    const asc = [...exp.static.variables].sort((a, b) => a.size - b.size || byLoc(a, b));
    assert((await staticRows()).slice(0, 5).join('|') === desc.slice(0, 5).map((v) => v.name).join('|'), `default order: ${(await staticRows()).slice(0, 5)}`);
    assert(await frame.locator('#t-static-0 th[aria-sort="descending"] button[data-key="size"]').count() === 1, 'aria-sort on size');
    await frame.locator('#t-static-0 button.sort[data-key="size"]').click();
    await until('ascending', async () => (await staticRows()).slice(0, 5).join('|') === asc.slice(0, 5).map((v) => v.name).join('|'), 5_000);
    await frame.locator('#t-static-0 button.sort[data-key="file"]').click();
    const byFile = [...exp.static.variables].sort(byLoc).map((v) => v.name);
    await until('by file', async () => (await staticRows()).slice(0, 5).join('|') === byFile.slice(0, 5).join('|'), 5_000);
    // the last page holds the rest: real counts, not a 12,000-px page
    await frame.locator('#t-static-0 .pager button', { hasText: 'Next page' }).click();
    await until('page 2', async () => norm(await frame.locator('#t-static-0 .page-of').textContent()) === `Page 2 of ${Math.ceil(nStatic / 50)}`, 5_000);
    assert((await staticRows())[0] === byFile[50], 'page 2 does not start at row 51');
    await frame.locator('#t-static-0 button.sort[data-key="size"]').click(); // back to biggest first
  });

  await check('drill-down: directory → sub-directories → files → items, the tables follow, keys go in and out', async () => {
    assert(frame, 'no webview frame');
    await frame.locator('.groups button[data-path="net"]').click();
    await until('net rows', async () => norm(await frame.locator('.crumbs [aria-current]').textContent()) === 'net', 5_000);
    const rows = (await frame.locator('.groups .g-name').allTextContents()).map(norm);
    assert(['core/', 'ipv4/', 'ipv6/'].every((r) => rows.includes(r)) && rows.length === 3, `rows under net: ${rows.join('|')}`);
    const under = exp.static.variables.filter((v) => v.file.startsWith('net/')).length;
    assert(norm(await frame.locator('#t-static-0 .cap-title').textContent()) === `Static per-CPU variables: ${under} of ${nStatic}`, 'static table not scoped');
    assert(norm(await frame.locator('#t-static-0 .cap-note').textContent()).startsWith('under net/'), 'no scope note');
    // keyboard: Right goes into the focused row, Left comes back out
    await frame.locator('.groups button').first().focus();
    const first = norm(await frame.locator('.groups .g-name').first().textContent());
    await page.keyboard.press('ArrowRight');
    await until('one level down', async () => norm(await frame.locator('.crumbs [aria-current]').textContent()) === first.replace(/\/$/, ''), 5_000);
    await page.keyboard.press('ArrowRight'); // into the biggest file
    await until('items of a file', async () => (await frame.locator('.groups button.row-static').count()) > 0, 5_000);
    await shot(page, '14-chunkmap-drilldown');
    await page.keyboard.press('ArrowLeft');
    await until('back up', async () => norm(await frame.locator('.crumbs [aria-current]').textContent()) === first.replace(/\/$/, ''), 5_000);
    // an item row opens its source
    await page.keyboard.press('ArrowRight');
    await until('items', async () => (await frame.locator('.groups button.row-static').count()) > 0, 5_000);
    const file = await frame.evaluate(() => document.querySelector('.crumbs [aria-current]').textContent);
    await frame.locator('.groups button.row-static').first().click();
    await until('the source opened', async () => (await page.locator('.tabs-container .tab', { hasText: file }).count()) > 0, 10_000);
    await frame.locator('.crumbs button.crumb', { hasText: 'all' }).click();
    await until('back at the top', async () => norm(await frame.locator('.crumbs [aria-current]').textContent()) === 'all', 5_000);
  });

  await check('no horizontal overflow at 600 px', async () => {
    assert(frame, 'no webview frame');
    const vp = page.viewportSize();
    let w = vp.width;
    for (let i = 0; i < 4; i++) {
      const inner = await frame.evaluate(() => window.innerWidth);
      if (Math.abs(inner - 600) <= 12) break;
      w += 600 - inner;
      await page.setViewportSize({ width: w, height: vp.height });
      await page.waitForTimeout(400);
    }
    const inner = await frame.evaluate(() => window.innerWidth);
    const o = await frame.evaluate(overflowAudit);
    await shot(page, '15-chunkmap-600px');
    await page.setViewportSize(vp);
    assert(Math.abs(inner - 600) <= 12, `could not size the webview to 600 px (${inner})`);
    assert(o.scrollWidth <= o.clientWidth, `scrollWidth ${o.scrollWidth} > ${o.clientWidth}: ${JSON.stringify(o.offenders)}`);
  });

  await check('text and block edges meet WCAG AA in Dark Modern, Light Modern and both high-contrast themes', async () => {
    assert(frame, 'no webview frame');
    const report = [];
    const bad = [];
    const pick = (label, kind) => pickTheme(page, until, label, kind);
    try {
      for (const [name, label, kind] of THEMES) {
        await pick(label, kind);
        fs.writeFileSync(path.join(ART, `theme-${name}.css`), await frame.evaluate(themeVariables));
        const r = await frame.evaluate(contrastAudit);
        report.push(`${name}: ${r.checked} checked, worst ${r.worst}`);
        if (r.checked < 100) bad.push(`${name}: only ${r.checked} texts checked`);
        if (r.failures.length) bad.push(`${name}: ${r.failures.length} below AA, e.g. ${JSON.stringify(r.failures.slice(0, 3))}`);
        if (name === 'light') await shot(page, '16-chunkmap-light');
      }
    } finally {
      await pick(THEMES[0][1], THEMES[0][2]).catch(() => {});
    }
    log(`     ${report.join('; ')}`);
    assert(!bad.length, bad.join(' / '));
  });

  await check('compare: rows aligned by variable and call site, deltas biggest growth first, a page crossed', async () => {
    await page.locator('.monaco-editor .view-lines').first().click();
    await runCommand(page, 'percpu-lens: Compare two configs');
    for (const name of ['configs/gen-a.config', 'configs/gen-b.config']) {
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
      await row.waitFor({ timeout: 10_000 });
      await row.locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox').first().click();
    }
    await page.locator('.quick-input-widget').getByRole('button', { name: 'OK' }).click();
    const f = await findFrame(async (x) => (await x.locator('.compare-summary').count()) === 1);
    const pa = expA.firstChunk.pagesPerCpu;
    const pb = expB.firstChunk.pagesPerCpu;
    const grew = expB.static.variables.find((v) => !expA.static.variables.some((w) => w.name === v.name));
    assert(grew && pb === pa + 1, `fixture: pages ${pa} → ${pb}`);
    const first = (await f.locator('#t-delta tbody tr').first().locator('td').allTextContents()).map(norm);
    assert(first[1] === grew.name && first[5] === `+${grew.size / 1024} KiB (new)`, `first delta row: ${first.join(' | ')}`);
    const cross = norm(await f.locator('[data-c="crossesPage"]').textContent());
    assert(cross.startsWith(`Crosses a page per CPU: ${pa} → ${pb} pages/cpu`), `crossing: ${cross}`);
    const bloat = norm(await f.locator('[data-c="bloat"]').textContent());
    assert(bloat === `add/remove: 1/0 grow/shrink: 0/0 up/down: ${grew.size}/0 (${grew.size})`, `summary: ${bloat}`);
    const total = (await f.locator('#t-delta tfoot td').allTextContents()).map(norm);
    assert(total[total.length - 1] === `+${grew.size / 1024} KiB`, `total delta: ${total.join(' | ')}`);
    // unchanged rows are aligned too, one per variable and call site of both sides
    await f.locator('.show-same input').check();
    await until('all rows', async () => norm(await f.locator('#t-delta .cap-title').textContent()) === `Per item, aligned by name: ${expB.static.variables.length + expB.dynamic.callsites.length + expB.nrCpusArrays.length}`, 5_000);
    await shot(page, '17-chunkmap-compare');
  });
}

module.exports = { run, mouseReach, pickTheme, THEMES };
