// One edit of a text, as editors send them, and the edit between two versions of a text. No other
// imports: the extension host uses it to send an open file's edits to the analysis process.

/** Replace [start, end) of the current text (UTF-16 offsets, as editors give them) by `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The single edit turning `old` into `text`: the span between their common prefix and suffix. */
export function diffEdit(old: string, text: string): TextEdit {
  // whole blocks first (a native compare of slices), then character by character: an editor sends
  // the whole text of a 300 KB file after a one-line edit
  const B = 1024;
  let a = 0;
  const max = Math.min(old.length, text.length);
  while (a + B <= max && old.slice(a, a + B) === text.slice(a, a + B)) a += B;
  while (a < max && old.charCodeAt(a) === text.charCodeAt(a)) a++;
  let b = 0;
  while (b + B <= max - a && old.slice(old.length - b - B, old.length - b) === text.slice(text.length - b - B, text.length - b)) b += B;
  while (b < max - a && old.charCodeAt(old.length - 1 - b) === text.charCodeAt(text.length - 1 - b)) b++;
  return { start: a, end: old.length - b, text: text.slice(a, text.length - b) };
}
