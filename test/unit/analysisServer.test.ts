// The editor's per-file analysis in a long-lived child process (analysisServer.ts + forkedCore.ts):
// replies matched by id, failures as errors (never a hang), a stopped server restarted, and the
// same analysis as in this process (its numbers are checked in realCore.test.ts).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { AnalysisClient, handleRequest, type AnalysisReply, type AnalysisRequest, type FileCore, type ServerChannel } from '../../src/vscode/analysisServer';
import type { FileAnalysis } from '../../src/vscode/core';
import { ForkedCore } from '../../src/vscode/forkedCore';
import { RealCore } from '../../src/vscode/realCore';
import { parseSettings } from '../../src/vscode/settings';

const FIX = path.resolve(__dirname, '../../../test/fixtures/e2e-kernel');
const s = parseSettings(() => undefined).settings;

const fakeCore = (over: Partial<FileCore> = {}): FileCore => ({
  analyzeFile: async (file) => ({ items: [{ kind: 'static', name: path.basename(file), type: 'int', line: 1, column: 0, endLine: 1, endColumn: 1 }], diagnostics: [] }),
  warm: async () => undefined,
  closeFile: () => undefined,
  noteEstimate: () => undefined,
  ...over,
});

/** a server in this process: replies when `flush` is called, in the order asked */
function fakeChannel(core: FileCore) {
  const queue: AnalysisRequest[] = [];
  const texts = new Map<string, string>();
  const log: AnalysisRequest[] = [];
  let onMsg: (m: AnalysisReply) => void = () => undefined;
  let onExit: (why: string) => void = () => undefined;
  const busy: boolean[] = [];
  const ch: ServerChannel = {
    send: (m) => { queue.push(m); log.push(m); },
    onMessage: (f) => { onMsg = f; },
    onExit: (f) => { onExit = f; },
    kill: () => onExit('SIGKILL'),
    busy: (b) => busy.push(b),
  };
  return {
    ch, queue, busy,
    /** answers the queued requests, last first */
    flushReversed: async () => { for (const m of queue.splice(0).reverse()) onMsg(await handleRequest(core, m, texts)); },
    /** answers the queued requests in order, until none is left (a reply may queue another) */
    flush: async () => {
      for (;;) {
        await new Promise((r) => setImmediate(r)); // the client's reaction to a reply comes first
        if (!queue.length) return;
        onMsg(await handleRequest(core, queue.shift()!, texts));
      }
    },
    texts, log,
    exit: (why: string) => onExit(why),
  };
}

describe('analysis server protocol', () => {
  it('answers each request with its id; a failure is an error reply', async () => {
    const core = fakeCore({ warm: async () => { throw new Error('no such tree'); } });
    const a = await handleRequest(core, { id: 7, op: 'analyze', file: '/t/a.c', text: '', settings: s });
    assert.deepStrictEqual([a.id, a.ok, a.ok && a.value?.items[0].name], [7, true, 'a.c']);
    assert.deepStrictEqual(await handleRequest(core, { id: 8, op: 'warm', root: '/t', settings: s }), { id: 8, ok: false, message: 'no such tree' });
    assert.deepStrictEqual(await handleRequest(core, { id: 9, op: 'close', file: '/t/a.c' }), { id: 9, ok: true });
    assert.deepStrictEqual(await handleRequest(core, { id: 10, op: 'bogus' } as unknown as AnalysisRequest), { id: 10, ok: false, message: 'unknown request "bogus"' });
    assert.deepStrictEqual(await handleRequest(core, null as unknown as AnalysisRequest), { id: -1, ok: false, message: 'unknown request undefined' });
  });

  it('the client matches replies that come out of order, and is busy only while requests wait', async () => {
    const f = fakeChannel(fakeCore());
    const c = new AnalysisClient(() => f.ch);
    const a = c.request({ op: 'analyze', file: '/t/a.c', text: '', settings: s });
    const b = c.request({ op: 'analyze', file: '/t/b.c', text: '', settings: s });
    assert.strictEqual(c.waiting, 2);
    await f.flushReversed();
    assert.deepStrictEqual([(await a)?.items[0].name, (await b)?.items[0].name], ['a.c', 'b.c']);
    assert.strictEqual(c.waiting, 0);
    assert.deepStrictEqual(f.busy, [true, false]);
  });

  it('a server that stops fails what waits with the reason, and the next request starts a new one', async () => {
    const chans = [fakeChannel(fakeCore()), fakeChannel(fakeCore())];
    let started = 0;
    const c = new AnalysisClient(() => chans[started++].ch);
    const lost = c.request({ op: 'analyze', file: '/t/a.c', text: '', settings: s });
    chans[0].exit('exit 134: out of memory');
    await assert.rejects(lost, /the analysis process stopped \(exit 134: out of memory\)/);
    const again = c.request({ op: 'analyze', file: '/t/a.c', text: '', settings: s });
    await chans[1].flushReversed();
    assert.strictEqual((await again)?.items[0].name, 'a.c');
    assert.strictEqual(started, 2);
    const pending = c.request({ op: 'warm', root: '/t', settings: s });
    c.dispose();
    await assert.rejects(pending, /stopped/);
  });

  it('sends an open file whole once, then its edits; whole again to a server that lost it', async () => {
    const seen: string[] = [];
    const f = fakeChannel(fakeCore({ analyzeFile: async (_file, text) => { seen.push(text); return { items: [], diagnostics: [] }; } }));
    const c = new AnalysisClient(() => f.ch);
    const v1 = 'int a;\n'.repeat(500), v2 = v1.replace('int a;', 'long b;'), v3 = `${v2}DEFINE_PER_CPU(int, x);\n`;
    const sent = f.log;
    const analyze = async (t: string) => { const p = c.analyze('/t/a.c', t, s); await f.flush(); await p; };
    await analyze(v1);
    await analyze(v2);
    await analyze(v3);
    assert.deepStrictEqual(seen, [v1, v2, v3]);
    assert.deepStrictEqual(sent.map((m) => ('text' in m ? 'text' : 'edit' in m ? [m.edit.start, m.edit.end, m.edit.text] : '?')), ['text', [0, 5, 'long b'], [v2.length, v2.length, 'DEFINE_PER_CPU(int, x);\n']]);
    // the server lost the text (or holds another): it asks for the whole text, and gets it
    f.texts.set('/t/a.c', 'something else');
    await analyze(v1);
    f.texts.clear();
    await analyze(v2);
    assert.deepStrictEqual(seen.slice(3), [v1, v2]);
    assert.deepStrictEqual(sent.slice(3).map((m) => ('text' in m ? 'text' : 'edit')), ['edit', 'text', 'edit', 'text']);
    // a closed file starts again whole
    c.forget('/t/a.c');
    await analyze(v3);
    assert.ok('text' in sent[sent.length - 1]);
    assert.deepStrictEqual(await handleRequest(fakeCore(), { id: 3, op: 'analyze', file: '/t/b.c', edit: { start: 0, end: 0, text: 'x' }, length: 1, settings: s }),
      { id: 3, ok: false, message: '/t/b.c: no text for this edit to apply to', resend: true });
  });

  it('a server that cannot start is an error, not a hang', async () => {
    const c = new AnalysisClient(() => { throw new Error('spawn ENOENT'); });
    await assert.rejects(c.request({ op: 'close', file: '/t/a.c' }), /ENOENT/);
  });
});

describe('analysis in a child process (forkedCore.ts)', function () {
  this.timeout(120000);
  const rel = 'kernel/sched_stats.c';
  const file = path.join(FIX, rel);
  const text = fs.readFileSync(file, 'utf8');

  it('gives the same analysis as in this process, and survives its process being killed', async () => {
    const lc = new RealCore();
    const local: FileAnalysis = await lc.analyzeFile(file, text, s, FIX);
    const edited = `${text}\nstatic DEFINE_PER_CPU(long, edited_here);\n`;
    const localEdited = await lc.analyzeFile(file, edited, s, FIX);
    const localBack = await lc.analyzeFile(file, text, s, FIX);
    const core = new ForkedCore();
    await core.warm(FIX, s);
    assert.deepStrictEqual(await core.analyzeFile(file, text, s, FIX), local);
    // then an edit (sent as such): the analysis of the edited text, as in this process
    assert.ok(localEdited.items.some((i) => i.name === 'edited_here'));
    assert.deepStrictEqual(await core.analyzeFile(file, edited, s, FIX), localEdited);
    assert.deepStrictEqual(await core.analyzeFile(file, text, s, FIX), localBack);
    // the server runs beside this process: kill it, and the next request gets a new one
    const kids = () => fs.readdirSync('/proc/self/task').flatMap((t) => fs.readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    const server = kids().find((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--serve'));
    assert.ok(server, 'an analysis process runs');
    process.kill(server, 'SIGKILL');
    for (let i = 0; i < 100 && kids().includes(server); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepStrictEqual(await core.analyzeFile(file, text, s, FIX), local);
    core.dispose();
  });
});
