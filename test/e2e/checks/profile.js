// Editor checks: one profile everywhere. After each switch of arch, NR_CPUS and .config, the
// status bar, the inlay hints, the hover, the Problems panel and the chunk map of a new estimate
// must all show the same arch and CPU counts. Called from run.js with its helpers.
'use strict';

/**
 * @param {object} h run.js's helpers and state: page, ws, check, assert, until, runCommand,
 *   openFile, editorText, findFrame (a frame whose #chunkmap has `n` views), shot, norm, fs, path
 */
module.exports = async function profileChecks(h) {
  const { page, check, assert, until, runCommand, openFile, editorText, shot, norm } = h;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const statusText = async () => norm(await page.locator('.statusbar').textContent());
  const problemsText = async () => norm((await page.locator('.markers-panel').allTextContents()).join('\n'));

  async function focusEditor() {
    // keys typed while a webview has focus go to its iframe
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
  }

  async function selectArch(arch, nrCpus, { clearConfig = false } = {}) {
    await focusEditor();
    await runCommand(page, 'percpu-lens: Select arch profile');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: arch }).first().waitFor({ timeout: 10_000 });
    await input.fill(arch);
    await page.keyboard.press('Enter');
    if (clearConfig) {
      const button = page.locator('.monaco-dialog-box').getByRole('button', { name: 'Stop using the .config' });
      await button.waitFor({ timeout: 10_000 });
      await shot(page, 'profile-01-refuse-other-arch');
      await button.click();
    }
    await until('NR_CPUS input', async () => norm(await page.locator('.quick-input-widget').textContent()).includes('NR_CPUS'), 10_000);
    await input.fill(String(nrCpus));
    await page.keyboard.press('Enter');
  }

  async function useConfig(rel) {
    await focusEditor();
    await runCommand(page, 'percpu-lens: Use .config file');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: rel }).first();
    await row.waitFor({ timeout: 10_000 });
    await row.click();
  }

  /** What every view shows for a profile of `arch` with `cpus` possible CPUs = NR_CPUS. */
  async function sameEverywhere(arch, cpus, withConfig) {
    const label = `${arch} · ${cpus} CPUs${withConfig ? ' · .config' : ''}`;
    await until(`status bar "${label}"`, async () => {
      const t = await statusText();
      return t.includes(label) && (withConfig || !t.includes(`${arch} · ${cpus} CPUs · .config`));
    }, 15_000);
    // inlay hints: rq_stats is 32 B on every LP64 arch; the NR_CPUS array element 16 B
    const kib = (b) => (b >= 1024 ? `${b / 1024} KiB` : `${b} B`);
    await openFile(page, 'kernel/sched_stats.c');
    await page.keyboard.press('Control+Home');
    await until(`hint × ${cpus}`, async () => (await editorText(page)).includes(`32 B/cpu × ${cpus} = ${kib(32 * cpus)}`), 20_000);
    // hover: the same line and the arch
    const line = page.locator('.editor-group-container.active .view-line', { hasText: 'struct rq_stats, rq_stats' }).first();
    const token = line.locator('span > span', { hasText: /^DEFINE_PER_CPU$/ }).first();
    const box = await token.boundingBox();
    assert(box, 'DEFINE_PER_CPU not on screen');
    await page.mouse.move(box.x + 5, box.y + box.height / 2);
    await until('hover with the profile', async () => {
      const t = norm((await page.locator('.monaco-hover').allTextContents()).join('\n'));
      return t.includes(`32 B/cpu × ${cpus} = ${kib(32 * cpus)}`) && t.includes(`(${arch})`);
    }, 10_000);
    await page.mouse.move(5, 500);
    await page.keyboard.press('Escape');
    await openFile(page, 'drivers/net/foo_net.c');
    await page.keyboard.press('Control+Home');
    await until(`NR_CPUS hint ${cpus}`, async () => (await editorText(page)).includes(`${cpus} × 16 B = ${kib(16 * cpus)} (NR_CPUS)`), 20_000);
    // diagnostics: PCPU001 prices the array with the same NR_CPUS
    await page.keyboard.press('Control+Shift+M');
    await until(`PCPU001 × ${cpus}`, async () => (await problemsText()).includes(`16 B/cpu × ${cpus} = ${kib(16 * cpus)} in each struct foo_dev`), 20_000);
    // the estimate and its chunk map
    await runCommand(page, 'percpu-lens: Estimate percpu footprint');
    // the previous check's map stays on screen until the new estimate replaces it (arm64 at 32
    // CPUs before x86_64 at 32): wait for this profile's CPUs and arch together
    await until(`the chunk map of this profile (${arch}, ${cpus} CPUs)`, async () => {
      for (const f of page.frames()) {
        try {
          const c = norm(await f.locator('#chunkmap [data-k="cpus"]').first().textContent({ timeout: 500 }));
          if (c === `${cpus} / ${cpus}` && norm(await f.locator('#chunkmap').textContent({ timeout: 500 })).includes(arch)) return f;
        } catch { /* not this frame */ }
      }
      return undefined;
    }, 40_000, 500);
  }

  await check('profile: arch and NR_CPUS chosen by command are the same in every view', async () => {
    await selectArch('arm64', 256);
    await sameEverywhere('arm64', 256, false);
    await shot(page, 'profile-02-arm64-256');
  });

  await check('profile: a .config sets arch and NR_CPUS in every view', async () => {
    await useConfig('configs/small.config');
    await sameEverywhere('x86_64', 64, true);
    await shot(page, 'profile-03-small-config');
  });

  await check('profile: another arch stops using the .config (asked), NR_CPUS from the setting again', async () => {
    await selectArch('arm64', 32, { clearConfig: true });
    await sameEverywhere('arm64', 32, false);
  });

  await check('profile: "Clear .config" goes back to the settings', async () => {
    await useConfig('configs/big.config');
    await until('status bar with the .config', async () => (await statusText()).includes('x86_64 · 8192 CPUs · .config'), 15_000);
    await focusEditor();
    await runCommand(page, 'percpu-lens: Clear .config');
    // arch stays x86_64 (the .config chose it); NR_CPUS is the setting's last value
    await sameEverywhere('x86_64', 32, false);
    await shot(page, 'profile-04-cleared');
  });
};
