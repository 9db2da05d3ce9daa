// Editor checks: "Per-CPU cost of uncommitted changes". The workspace (a temp copy) is made a git
// repository with one commit, a per-CPU variable is added on disk, and the command must put the
// change's cost in the status bar and a CodeLens on the new definition. Called from run.js.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

module.exports = async function diffChecks(h) {
  const { page, ws, check, assert, until, runCommand, openFile, shot, norm } = h;
  await check('diff: the working tree against HEAD in the status bar and a CodeLens on the new variable', async () => {
    // earlier checks leave unsaved edits (the quick fix): saved first, so the editor reloads the file written below
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await runCommand(page, 'File: Save All');
    await until('no unsaved editors', async () => (await page.locator('.tabs-container .tab.dirty').count()) === 0, 10_000);
    const git = (...a) => execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', ...a], { cwd: ws, stdio: 'pipe' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');
    // unsigned long: 8 B per CPU on x86_64 (the profile the profile checks leave: x86_64, 32 CPUs)
    fs.appendFileSync(path.join(ws, 'kernel/sched_stats.c'), '\nDEFINE_PER_CPU(unsigned long, e2e_extra);\n');
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await runCommand(page, 'percpu-lens: Per-CPU cost of uncommitted changes');
    // the static area grows by the variable or not at all (it may fit in the area's end padding)
    await until('status bar "this change"', async () =>
      /this change: (\+\d+(\.\d)? (B|KiB)|0 B)\/cpu static, 0 B\/cpu dynamic/.test(norm(await page.locator('.statusbar').textContent())), 60_000, 500);
    await openFile(page, 'kernel/sched_stats.c');
    await page.keyboard.press('Control+End');
    await until('CodeLens "+8 B/cpu (new)"', async () =>
      norm((await page.locator('.editor-group-container.active .codelens-decoration').allTextContents()).join('\n')).includes('+8 B/cpu (new)'), 20_000);
    await shot(page, 'diff-01-working-tree');
  });
};
