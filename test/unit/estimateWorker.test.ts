// The editor's estimate in a child process (forkedCore.ts + estimateWorker.ts): the same view as
// the estimate run in this process, progress for every phase, a cancel that kills the process.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ForkedCore, estimateWorkerPath } from '../../src/vscode/forkedCore';
import { RealCore } from '../../src/vscode/realCore';
import { PhaseProgress } from '../../src/vscode/estimateProgress';
import { parseSettings } from '../../src/vscode/settings';

const FIX = path.resolve(__dirname, '../../../test/fixtures/e2e-kernel');
const s = parseSettings(() => undefined).settings;

/** pids of this process's children (Linux) */
function children(): number[] {
  try {
    return fs.readdirSync('/proc/self/task').flatMap((t) => fs.readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch { return []; }
}

describe('estimate in a child process', function () {
  this.timeout(120000);

  it('runs the worker script compiled beside it', () => {
    assert.ok(estimateWorkerPath(), 'estimateWorker.js next to forkedCore.js');
  });

  it('gives the same view as the estimate in this process, with progress for every phase', async () => {
    const phases: string[] = [];
    const forked = await new ForkedCore().estimate(FIX, s, new AbortController().signal, (_d, _t, m) => {
      if (m && phases[phases.length - 1] !== m) phases.push(m);
    });
    const local = await new RealCore().estimate(FIX, s, new AbortController().signal, () => {});
    assert.deepStrictEqual(forked, local);
    assert.deepStrictEqual(phases, ['listing files', 'scanning', 'sizing', 'placement', 'simulation', 'rules']);
  });

  it('the estimate process hands the estimate its forced collections, as the CLI does, and the view is the same', async () => {
    // estimateWorker.ts gives RealCore core/memory.ts's compactor (Debian amd64 cold: peak 400 -> 300 MB)
    let asked = 0;
    const compacted = await new RealCore({ compact: () => { asked++; } }).estimate(FIX, s, new AbortController().signal, () => {});
    assert.ok(asked > 0, 'the estimate was given the compactor');
    assert.deepStrictEqual(compacted, await new RealCore().estimate(FIX, s, new AbortController().signal, () => {}));
  });

  it('a cancel settles at once and leaves no process behind', async () => {
    const before = children();
    const ac = new AbortController();
    let seen = 0;
    const run = new ForkedCore().estimate(FIX, s, ac.signal, () => { if (++seen === 1) ac.abort(); });
    await assert.rejects(run, /cancelled/);
    assert.strictEqual(seen >= 1, true);
    // SIGKILL is immediate; the exit is reaped on the next turns of the event loop
    for (let i = 0; i < 50 && children().some((p) => !before.includes(p)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepStrictEqual(children().filter((p) => !before.includes(p)), []);
  });

  it('reports an estimate that fails in the child as an error', async () => {
    await assert.rejects(new ForkedCore().estimate(path.join(FIX, 'no-such-dir'), s, new AbortController().signal, () => {}), /cannot scan/);
  });
});

describe('progress bar over the phases', () => {
  it('moves inside each phase and never goes back', () => {
    const p = new PhaseProgress();
    const seq: Array<[string, number, number]> = [
      ['listing files', 0, 1], ['scanning', 1, 1000], ['scanning', 500, 1000], ['scanning', 1000, 1000],
      ['sizing', 0, 1], ['sizing', 10, 20], ['placement', 0, 1], ['simulation', 5, 10], ['rules', 0, 1], ['rules', 40, 40],
    ];
    const at = seq.map(([ph, d, t]) => p.at(ph, d, t));
    for (let i = 1; i < at.length; i++) assert.ok(at[i] >= at[i - 1], `${seq[i][0]} ${at[i]} < ${at[i - 1]}`);
    assert.ok(at[2] > at[1] && at[3] > at[2], 'scanning moves the bar');
    // Kbuild's folders (read between the scan cache's checks and the scan's results) move the bar on
    const k = new PhaseProgress();
    const checking = k.at('checking the scan cache', 4095, 55672);
    const kbuild = k.at('reading Kbuild', 64, 0);
    assert.ok(kbuild > checking && k.at('scanning', 1, 1000) > kbuild, `${checking} < ${kbuild} < scanning`);
    assert.strictEqual(at[at.length - 1], 100);
    assert.strictEqual(p.at('scanning', 0, 1000), 100); // a late message of an earlier phase does not pull it back
    assert.strictEqual(PhaseProgress.message('scanning', 0, 1), 'scanning');
    assert.strictEqual(PhaseProgress.message('scanning', 12, 55672), 'scanning 12/55672');
  });
});
