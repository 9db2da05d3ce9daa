// Identifiers used from an arch's assembly (.S) files. PCPU001 skips NR_CPUS arrays that assembly
// indexes by CPU number (the layout is an ABI there, not a choice).
import * as fs from 'fs';
import * as path from 'path';
import { readText } from '../readText';

const COMMENTS = /\/\*[\s\S]*?\*\/|(^|\s)(#|;|@|\/\/)\s[^\n]*/g;

/** Every identifier in the .S files under root/arch/NAME (empty when there is no such folder). */
export function asmSymbols(root: string, arch: string): Set<string> {
  const set = new Set<string>();
  const visit = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 16) visit(p, depth + 1);
      else if (e.isFile() && e.name.endsWith('.S')) {
        let text: string;
        try {
          text = readText(p, 'latin1');
        } catch {
          continue;
        }
        for (const w of text.replace(COMMENTS, ' ').match(/[A-Za-z_]\w*/g) ?? []) set.add(w);
      }
    }
  };
  visit(path.join(root, 'arch', arch), 0);
  return set;
}

/** The arch folder a tree-relative file sits in, if any (arch/x86/kernel/cpu.c → x86). */
export function archOfFile(file: string): string | undefined {
  return /^arch\/([^/]+)\//.exec(file)?.[1];
}
