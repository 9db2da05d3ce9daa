// Kernel annotations (sparse address spaces, section and alignment attributes) that tree-sitter
// does not know and that turn whole declarations into ERROR nodes. They are blanked with spaces of
// the same length in the text handed to tree-sitter, so offsets, lines and columns are unchanged;
// findings still quote the original text.
const WORDS = [
  '__iomem', '__percpu', '__rcu', '__user', '__kernel', '__force', '__nocast', '__bitwise', '__safe', '__private',
  '__arena', '__read_mostly', '__ro_after_init', '__initdata', '__initconst', '__init', '__exit', '__refdata',
  '__meminitdata', '__exitdata', '__nosavedata',
  '__cacheline_aligned', '__cacheline_aligned_in_smp', '____cacheline_aligned', '____cacheline_aligned_in_smp',
  '____cacheline_internodealigned_in_smp', '__page_aligned_data', '__page_aligned_bss', '__maybe_unused',
  '__used', '__always_unused', '__must_check', '__packed', '__weak', '__visible', '__noreturn', '__cold', '__hot',
  '__latent_entropy', '__randomize_layout', '__no_randomize_layout', '__data_racy', '__always_inline',
  'noinstr', '__no_kcsan', '__ref', '__bpf_kfunc',
  '__nonstring',
  // function annotations (the rules parse function bodies through the same table)
  '__sched', 'notrace', 'noinline', '__noinline', '__nocfi', '__flatten', '__cpuidle', '__irq_entry',
];
const CALLS = [
  '__aligned', '__section', '__attribute__', '__attribute', '__counted_by', '__counted_by_le', '__counted_by_be',
  '__acquires', '__releases', '__must_hold', '__printf', '__scanf', '__cond_acquires', '__alloc_size', '__malloc',
  '__guarded_by', '__pt_guarded_by', 'BTF_TYPE_TAG', '__diag_ignore_all', '__assume_aligned',
];

// a word ends where an identifier ends: __percpu_init_rwsem is a function name, not __percpu + _init_rwsem
const RE = new RegExp(`\\b(?:(${WORDS.join('|')})\\b|(${CALLS.join('|')})\\s*\\()`, 'g');

function blank(t: string): string {
  return t.replace(/[^\n]/g, ' ');
}

/** `text` with annotations inside [a, b) ranges blanked; same length. */
export function blankAnnotations(text: string, ranges: readonly [number, number][]): string {
  const parts: string[] = [];
  let at = 0;
  for (const [a, b] of ranges) {
    RE.lastIndex = a;
    for (let m = RE.exec(text); m && m.index < b; m = RE.exec(text)) {
      let end = m.index + m[0].length;
      if (m[2]) { // balanced (...) after an attribute-like macro
        let depth = 1;
        while (end < text.length && depth > 0) {
          const c = text.charCodeAt(end++);
          if (c === 40) depth++;
          else if (c === 41) depth--;
          else if (c === 59 || c === 123) break; // ';' or '{': unbalanced, stop
        }
      }
      parts.push(text.slice(at, m.index), blank(text.slice(m.index, end)));
      at = end;
      RE.lastIndex = end;
    }
  }
  if (at === 0) return text;
  parts.push(text.slice(at));
  return parts.join('');
}
