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

const SLACK = 256;

/**
 * `text` cut SLACK characters after `b`, where no match starting before `b` can tell the cut from
 * the text (a match ends in word characters or spaces before its `(`): the whole text when a run of
 * those reaches from before `b` to the cut.
 */
function rangePrefix(text: string, a: number, b: number): string {
  const cut = b + SLACK;
  if (cut >= text.length) return text;
  let k = cut - 1;
  while (k >= a && /[\w\s]/.test(text[k])) k--;
  return k < b ? text : text.slice(0, cut);
}

/**
 * Where annotations inside the [a, b) ranges are: sorted, disjoint [start, end) spans to blank
 * (an attribute-like call with its balanced arguments).
 */
export function annotationSpans(text: string, ranges: readonly [number, number][]): [number, number][] {
  const spans: [number, number][] = [];
  let at = 0;
  for (const [a, b] of ranges) {
    // searched in a prefix ending a little after the range: a search in the whole text runs on to
    // the next annotation, anywhere after it (ranges are few and small, the file large)
    const within = rangePrefix(text, a, b);
    RE.lastIndex = a;
    for (let m = RE.exec(within); m && m.index < b; m = RE.exec(within)) {
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
      if (end > at) spans.push([Math.max(at, m.index), end]);
      at = Math.max(at, end);
      RE.lastIndex = end;
    }
  }
  return spans;
}

/** `text` with annotations inside [a, b) ranges blanked; same length. */
export function blankAnnotations(text: string, ranges: readonly [number, number][]): string {
  const spans = annotationSpans(text, ranges);
  if (!spans.length) return text;
  const parts: string[] = [];
  let at = 0;
  for (const [a, b] of spans) {
    parts.push(text.slice(at, a), blank(text.slice(a, b)));
    at = b;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/**
 * `text` as blankAnnotations would give it, read piece by piece from `index` (tree-sitter's parse
 * input callback): no copy of the whole text is made for a few blanked words.
 */
export function blankedReader(text: string, spans: readonly [number, number][]): (index: number) => string {
  return (index) => {
    if (index >= text.length) return '';
    let lo = 0, hi = spans.length; // the first span ending after index
    while (lo < hi) { const mid = (lo + hi) >> 1; if (spans[mid][1] <= index) lo = mid + 1; else hi = mid; }
    if (lo === spans.length) return text.slice(index);
    const [a, b] = spans[lo];
    return index < a ? text.slice(index, a) : blank(text.slice(index, b));
  };
}
