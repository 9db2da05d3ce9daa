// The rules' sizer (estimate/reuse.ts recordingSizer): an answer taken from the saved table, or
// asked a second time, gives the piece of work asking it the files it was worked out from, as the
// layout engine's own caches do on a hit; without them a file's saved rules would outlive an edit
// of the header its sizes came from. The frames here stand in for TypeIndex's (openFrame,
// closeFrame, addDeps); the sizes are made up: what is checked is where each answer comes from.
import * as assert from 'assert';
import * as path from 'path';
import { depTracker, recordingSizer } from '../../src/core/estimate/reuse';
import { FALLBACK_FILE } from '../../src/core/layout/fallback';
import type { Sizer } from '../../src/core/layout/sizer';

/** TypeIndex's frames: each a set of absolute paths, merged into the enclosing one on close when asked */
class Frames {
  stack: Set<string>[] = [];
  openFrame(): void { this.stack.push(new Set()); }
  closeFrame(merge = true): Set<string> | undefined {
    const s = this.stack.pop();
    if (s && merge) this.addDeps(s);
    return s;
  }
  addDeps(files: Iterable<string> | undefined): void {
    const top = this.stack[this.stack.length - 1];
    if (top && files) for (const f of files) top.add(f);
  }
}

describe('recordingSizer: answers and the files they read', () => {
  const root = '/tree';
  const abs = (f: string) => path.join(root, f);

  it('a saved answer is taken without asking the layout and brings its files into the asking frame', () => {
    const frames = new Frames();
    const table = ['include/x.h', 'include/y.h'];
    const asked: string[] = [];
    const layout: Sizer = {
      sizeOf: (t) => { asked.push(t); frames.addDeps([abs('include/y.h')]); return { size: 8, align: 8 }; },
      evalInt: () => 0,
      record: () => ({ error: 'none' }),
    };
    const saved = new Map<string, [unknown, number[]?]>([['s\0kernel/a.c\0struct x', [{ size: 24, align: 8 }, [0]]]]);
    const { sizer, entries } = recordingSizer(layout, saved, () => true, depTracker(frames, root, table));

    frames.openFrame(); // kernel/a.c's rules
    assert.deepStrictEqual(sizer.sizeOf('struct x', 'kernel/a.c'), { size: 24, align: 8 });
    assert.deepStrictEqual(asked, [], 'taken from the table');
    assert.deepStrictEqual([...frames.closeFrame(false)!], [abs('include/x.h')]);

    // worked out: its files join the asking frame and are recorded with the answer
    frames.openFrame();
    assert.deepStrictEqual(sizer.sizeOf('struct y', 'kernel/a.c'), { size: 8, align: 8 });
    assert.deepStrictEqual(asked, ['struct y']);
    assert.deepStrictEqual([...frames.closeFrame(false)!], [abs('include/y.h')]);
    assert.deepStrictEqual(entries.get('s\0kernel/a.c\0struct y'), [{ size: 8, align: 8 }, [1]]);

    // asked again by another piece of work: the same answer, the same files, the layout not asked
    frames.openFrame();
    sizer.sizeOf('struct y', 'kernel/a.c');
    sizer.sizeOf('struct x', 'kernel/a.c');
    assert.deepStrictEqual(asked, ['struct y']);
    assert.deepStrictEqual([...frames.closeFrame(false)!].sort(), [abs('include/x.h'), abs('include/y.h')]);
  });

  it('the files are named as the layout names them: the tree\'s under its root, the fallback header by its own name', () => {
    const frames = new Frames();
    const track = depTracker(frames, root, ['include/x.h', FALLBACK_FILE, '/usr/include/stdint.h']);
    frames.openFrame();
    track.add([0, 1, 2]);
    assert.deepStrictEqual([...frames.closeFrame(false)!], [abs('include/x.h'), FALLBACK_FILE, '/usr/include/stdint.h']);
  });

  it('a saved answer of a file the change reaches is worked out again', () => {
    const frames = new Frames();
    const asked: string[] = [];
    const layout: Sizer = { sizeOf: (t) => { asked.push(t); return { size: 4, align: 4 }; }, evalInt: () => 0, record: () => ({ error: 'none' }) };
    const saved = new Map<string, [unknown, number[]?]>([['s\0kernel/a.c\0struct x', [{ size: 24, align: 8 }, [0]]]]);
    const { sizer } = recordingSizer(layout, saved, (f, d) => !(d ?? []).includes(0), depTracker(frames, root, ['include/x.h']));
    assert.deepStrictEqual(sizer.sizeOf('struct x', 'kernel/a.c'), { size: 4, align: 4 });
    assert.deepStrictEqual(asked, ['struct x']);
  });

  it('an entry of another shape (a damaged parts file) is worked out again, not thrown on', () => {
    const frames = new Frames();
    const asked: string[] = [];
    const layout: Sizer = { sizeOf: (t) => { asked.push(t); return { size: 4, align: 4 }; }, evalInt: () => 0, record: () => ({ error: 'none' }) };
    const saved = new Map([['s\0kernel/a.c\0struct x', [{ size: 24, align: 8 }, 'include/x.h']]]) as unknown as Map<string, [unknown, number[]?]>;
    const { sizer } = recordingSizer(layout, saved, (f, d) => !(d ?? []).includes(0), depTracker(frames, root, ['include/x.h']));
    assert.deepStrictEqual(sizer.sizeOf('struct x', 'kernel/a.c'), { size: 4, align: 4 });
    assert.deepStrictEqual(asked, ['struct x']);
  });
});
