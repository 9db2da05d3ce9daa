// Reads a macro invocation straight from source text: its arguments and what follows it up to ';'.
// Used for what the scan's finding does not carry: DEFINE_PER_CPU_SECTION's section string and
// trailing attributes (`DEFINE_PER_CPU_FIRST(...) __aligned(PAGE_SIZE) __visible;`).

export interface MacroCall {
  args: string[];
  /** text after the closing parenthesis up to the next ';' (or end of line block) */
  tail: string;
}

/** line and column are 1-based and point at the macro name. */
export function readMacroCall(text: string, line: number, column: number): MacroCall | undefined {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return undefined;
    off = nl + 1;
  }
  off += column - 1;
  const open = text.indexOf('(', off);
  if (open < 0 || open - off > 200) return undefined;
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  let i = open;
  for (; i < text.length && i - open < 20000; i++) {
    const c = text[i];
    if (c === '(') {
      if (depth++ > 0) cur += c;
    } else if (c === ')') {
      if (--depth === 0) break;
      cur += c;
    } else if (c === ',' && depth === 1) {
      args.push(cur.trim());
      cur = '';
    } else if (c === '"') {
      const j = text.indexOf('"', i + 1);
      if (j < 0) return undefined;
      cur += text.slice(i, j + 1);
      i = j;
    } else cur += c;
  }
  if (depth !== 0) return undefined;
  args.push(cur.trim());
  const semi = text.indexOf(';', i);
  const tail = text.slice(i + 1, semi < 0 ? Math.min(text.length, i + 200) : Math.min(semi, i + 2000));
  return { args: args.map((a) => a.replace(/\s+/g, ' ')), tail };
}
