// Each subcommand registers itself from its own module, so work on one never touches another.
import type { Command } from 'commander';
import { register as scan } from './scan';
import { register as layout } from './layout';
import { register as simulate } from './simulate';
import { register as estimate } from './estimate';
import { register as diff } from './diff';

export function registerCommands(program: Command): void {
  for (const r of [scan, layout, simulate, estimate, diff]) r(program);
}
