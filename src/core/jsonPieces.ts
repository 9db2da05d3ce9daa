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
  // members are gathered into pieces of ~16 K characters: a generator per member and a yield per
  // comma cost a cold run's cache writes ~0.3 s of its main thread
  const out = { text: '' };
  yield* pieces(value, depth, out);
  if (out.text) yield out.text;
}

const PIECE = 16 * 1024;

/** elements of a last-level array written by one JSON.stringify (a name table of ~100,000 strings was one call each) */
const RUN = 1024;

function* pieces(value: unknown, depth: number, out: { text: string }): Generator<string> {
  if (depth === 1 && Array.isArray(value) && value.length > RUN) {
    // its elements are written whole anyway: a run of them at once, as the array's text gives them
    out.text += '[';
    for (let i = 0; i < value.length; i += RUN) {
      const run = JSON.stringify(value.slice(i, i + RUN));
      out.text += (i ? ',' : '') + run.slice(1, -1);
      if (out.text.length >= PIECE) { yield out.text; out.text = ''; }
    }
    out.text += ']';
  } else if (depth > 0 && Array.isArray(value)) {
    out.text += '[';
    for (let i = 0; i < value.length; i++) {
      if (i) out.text += ',';
      yield* member(value[i], depth - 1, out, 'null');
    }
    out.text += ']';
  } else if (depth > 0 && (value instanceof Map || value instanceof JsonEntries || plain(value))) {
    const entries: Iterable<readonly [unknown, unknown]> = value instanceof Map ? value : value instanceof JsonEntries ? value.entries : Object.entries(value as object);
    out.text += '{';
    let first = true;
    for (const [k, v] of entries) {
      if (!isMember(v)) continue; // as JSON.stringify skips an undefined or function member
      out.text += `${first ? '' : ','}${JSON.stringify(String(k))}:`;
      first = false;
      yield* member(v, depth - 1, out);
    }
    out.text += '}';
  } else {
    const s = JSON.stringify(value);
    if (s !== undefined) out.text += s;
  }
}

/** One member: a container still above `depth` member by member, anything else whole; `absent` for what JSON.stringify leaves out. */
function* member(v: unknown, depth: number, out: { text: string }, absent = ''): Generator<string> {
  if (!isMember(v)) out.text += absent;
  else if (depth > 0 && (Array.isArray(v) || v instanceof Map || v instanceof JsonEntries || plain(v))) yield* pieces(v, depth, out);
  else { const s = JSON.stringify(v); if (s !== undefined) out.text += s; }
  if (out.text.length >= PIECE) { yield out.text; out.text = ''; }
}

/** Whether JSON.stringify writes `v` as a member (it leaves out undefined, functions and symbols). */
const isMember = (v: unknown) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';

/** An object JSON.stringify writes as its own enumerable string-keyed members. */
function plain(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return (p === Object.prototype || p === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
