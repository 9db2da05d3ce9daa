// A cache file's JSON in pieces for writeAtomic: JSON.stringify of a whole run's parts or stamps
// builds one string of 5-12 MB (and its growing buffers) on top of the data at the run's end,
// where the CLI's peak memory was. Written member by member, nothing bigger than one member is made.

/** An object written from entries produced as the pieces are written (no object or copy of them made first). */
export class JsonEntries {
  constructor(readonly entries: Iterable<readonly [string, unknown]>) {}
}

/**
 * The text of JSON.stringify(value) in order, as pieces: arrays, plain objects, Maps (string keys;
 * written as objects, which JSON.stringify does not do) and JsonEntries down to `depth` levels are
 * written member by member, anything deeper or else as JSON.stringify writes it whole.
 */
export function* jsonPieces(value: unknown, depth: number): Generator<string> {
  if (depth > 0 && Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i) yield ',';
      const v = value[i];
      if (member(v)) yield* jsonPieces(v, depth - 1);
      else yield 'null';
    }
    yield ']';
  } else if (depth > 0 && (value instanceof Map || value instanceof JsonEntries || plain(value))) {
    const entries: Iterable<readonly [unknown, unknown]> = value instanceof Map ? value : value instanceof JsonEntries ? value.entries : Object.entries(value as object);
    yield '{';
    let first = true;
    for (const [k, v] of entries) {
      if (!member(v)) continue; // as JSON.stringify skips an undefined or function member
      yield `${first ? '' : ','}${JSON.stringify(String(k))}:`;
      first = false;
      yield* jsonPieces(v, depth - 1);
    }
    yield '}';
  } else {
    const s = JSON.stringify(value);
    if (s !== undefined) yield s;
  }
}

/** Whether JSON.stringify writes `v` as a member (it leaves out undefined, functions and symbols). */
const member = (v: unknown) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';

/** An object JSON.stringify writes as its own enumerable string-keyed members. */
function plain(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return (p === Object.prototype || p === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
