// V8 keeps a long substring (a regex capture, a slice, a split piece) as a view of the whole
// string it came from. Anything stored for the whole run should hold a flat copy instead, or one
// kept name keeps a whole header text alive.

/** A copy of `s` that references no other string (exact for any string, lone surrogates too). */
export const flat = (s: string): string => JSON.parse(JSON.stringify(s)) as string;
