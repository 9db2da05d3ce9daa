// A member as C declares it, from the layout engine's type spelling. The engine spells derived
// types as suffixes in the order it applied them: `T (args)` a function, `T *` a pointer, and
// array dimensions as one C-ordered run (`T[2][3]`). C wraps the name instead:
// `enum hrtimer_restart (*function)(struct hrtimer *)`, `int (*p)[3]`, `char *names[4]`.

type Op = { kind: 'ptr' } | { kind: 'fn'; text: string } | { kind: 'dim'; text: string };

/** Split a spelling into its base type and its suffixes, innermost (nearest the base) first. */
export function splitTypeName(t: string): { base: string; ops: Op[] } {
  const rev: Op[] = []; // outermost first while reading from the right
  let s = t.trimEnd();
  for (;;) {
    if (s.endsWith(' *')) { rev.push({ kind: 'ptr' }); s = s.slice(0, -1).trimEnd(); continue; }
    if (s.endsWith(']')) {
      const i = s.lastIndexOf('[');
      if (i <= 0) break;
      // a run of dimensions is written outermost first, unlike the other suffixes: read it as one
      const run: Op[] = [];
      while (s.endsWith(']')) {
        const j = s.lastIndexOf('[');
        if (j <= 0) break;
        run.push({ kind: 'dim', text: s.slice(j) });
        s = s.slice(0, j);
      }
      rev.push(...run.reverse());
      s = s.trimEnd();
      continue;
    }
    if (s.endsWith(')')) {
      let depth = 0;
      let i = s.length - 1;
      for (; i >= 0; i--) {
        if (s[i] === ')') depth++;
        else if (s[i] === '(' && --depth === 0) break;
      }
      // only the engine's ` (args)` suffix; `__typeof__(x)` and the like are part of the base
      if (i <= 0 || s[i - 1] !== ' ') break;
      rev.push({ kind: 'fn', text: s.slice(i) });
      s = s.slice(0, i - 1).trimEnd();
      continue;
    }
    break;
  }
  return { base: s, ops: rev.reverse() };
}

/** `type name` as a C declaration: the declarator wrapped around the name. */
export function cDeclaration(type: string, name: string): string {
  const { base, ops } = splitTypeName(type);
  let d = name;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    if (op.kind === 'ptr') d = `*${d}`;
    else d = `${d.startsWith('*') ? `(${d})` : d}${op.text}`;
  }
  return d.startsWith('[') || d === '' ? `${base}${d}` : `${base} ${d}`;
}
