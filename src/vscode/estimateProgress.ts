// One progress bar over the estimate's phases: each phase owns a share of the bar (by its usual
// time on linux 6.12), so the bar moves within a phase and never goes back. No vscode import.

const PHASES: Array<[string, number]> = [
  ['listing files', 4], ['checking the scan cache', 4], ['reading Kbuild', 8], ['scanning', 44], ['sizing', 14], ['placement', 1], ['simulation', 5], ['rules', 20],
];

export class PhaseProgress {
  private pct = 0;

  /** The bar position 0..100 for `done` of `total` in `phase`; unknown phases keep the position. */
  at(phase: string, done: number, total: number): number {
    let start = 0;
    for (const [name, w] of PHASES) {
      if (name === phase) {
        const p = start + (total > 0 ? (w * Math.min(done, total)) / total : 0);
        this.pct = Math.max(this.pct, Math.min(100, p));
        break;
      }
      start += w;
    }
    return this.pct;
  }

  /** The notification's text: "scanning 1234/59817" (no "0/1" while a phase has no count yet). */
  static message(phase: string, done: number, total: number): string {
    return total > 1 ? `${phase} ${done}/${total}` : phase;
  }
}
