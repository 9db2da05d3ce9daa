// Where gcc puts a variable in its object's section: it emits variables in reverse order of
// their first declaration in the translation unit, and a DECLARE_PER_CPU in a header the file
// includes counts as the first (checked with gcc 12: `extern int b; int a; int b;` emits b
// last). Headers come before the file's own lines (kernel files include at the top).
import * as path from 'path';
import type { Finding } from '../parse/types';
import type { LayoutEngine } from '../layout';

export class EmitOrder {
  /** header (absolute) → name → line of its DECLARE_PER_CPU* */
  private declared = new Map<string, Map<string, number>>();

  constructor(private root: string, findings: Finding[], private layout: LayoutEngine) {
    for (const f of findings) {
      if (f.kind !== 'declare' || !f.name || f.unresolved || !f.file.endsWith('.h')) continue;
      const abs = path.resolve(root, f.file);
      const m = this.declared.get(abs) ?? new Map<string, number>();
      if (!m.has(f.name)) m.set(f.name, f.line);
      this.declared.set(abs, m);
    }
  }

  /** the sort key of `name` defined at `defPosition` in `file` (a .c compiled on its own) */
  position(file: string, name: string, defPosition: number): number {
    const abs = path.resolve(this.root, file);
    for (const [h, i] of this.layout.index.includeOrder(abs)) {
      const line = this.declared.get(h)?.get(name);
      // #if branches inside the header are already applied: includeOrder only follows active includes
      if (line !== undefined && lineIsActive(this.layout, h, line)) return -1e9 + i * 1e5 + line;
    }
    return defPosition;
  }

}

/** Whether a line survives the file's #if branches evaluated with the macros its headers define
 *  (kernel/softirq.c's irq_stat is under #ifndef __ARCH_IRQ_STAT, which x86's asm/hardirq.h sets). */
export function lineIsActive(layout: LayoutEngine, absFile: string, line: number): boolean {
  const text = layout.index.loaded(path.resolve(absFile))?.scan.active;
  return text === undefined || /\S/.test(text.split('\n')[line - 1] ?? '');
}
