// The kernel version of a source tree, from its top-level Makefile (VERSION, PATCHLEVEL, SUBLEVEL),
// so an estimate of an older tree takes that era's constants and linker order without --kernel.
import * as fs from 'fs';
import * as path from 'path';

/** "6.12" for a 6.12.y tree, "2.6.32" for a 2.6 one (the 2.6 series changed per sublevel); undefined when no Makefile says. */
export function treeKernelVersion(root: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, 'Makefile'), 'utf8').slice(0, 4096);
  } catch {
    return undefined;
  }
  const num = (k: string) => /^\d+$/.exec((new RegExp(`^${k}\\s*=\\s*(\\S*)`, 'm').exec(text)?.[1]) ?? '')?.[0];
  const v = num('VERSION'), p = num('PATCHLEVEL'), s = num('SUBLEVEL');
  if (v === undefined || p === undefined) return undefined;
  return v === '2' && s !== undefined ? `${v}.${p}.${s}` : `${v}.${p}`;
}
