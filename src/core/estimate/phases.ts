// Wall time per phase of one estimate, for `stats.phases` (the bench prints them). The main thread
// runs Kbuild, the type index and the wrapper expansion while the scan's workers scan, so `scan`
// is only the time spent waiting for them afterwards.
export class PhaseClock {
  readonly ms: Record<string, number> = {};
  private last = Date.now();

  /** Charges the time since the previous mark to `phase`. */
  mark(phase: string): void {
    const now = Date.now();
    this.ms[phase] = (this.ms[phase] ?? 0) + (now - this.last);
    this.last = now;
  }
}
