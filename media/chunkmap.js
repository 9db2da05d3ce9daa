// Chunk-map webview. Renders the host's PanelState with DOM nodes and textContent only (no innerHTML),
// so file names and identifiers can never become markup. Positions are set through CSSOM, which the
// CSP allows without 'unsafe-inline'.
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is injected by VS Code
  const vscode = acquireVsCodeApi();
  const root = /** @type {HTMLElement} */ (document.getElementById('chunkmap'));
  const tip = /** @type {HTMLElement} */ (document.getElementById('tooltip'));

  /** @param {number} n */
  function bytes(n) {
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0; let v = n;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    if (i === 0) return n + ' B';
    const s = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
    return s.replace(/\.?0+$/, '') + ' ' + u[i];
  }

  /** @param {string} tag @param {string=} cls @param {string=} text */
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** @param {number} viewIndex @param {string} file @param {number} line */
  function open(viewIndex, file, line) {
    vscode.postMessage({ type: 'open', viewIndex, file, line });
  }

  /** A link-like button to a source location. */
  function srcLink(viewIndex, file, line) {
    const b = el('button', 'src', file + ':' + line);
    b.type = 'button';
    b.addEventListener('click', () => open(viewIndex, file, line));
    return b;
  }

  /** @param {HTMLElement} target @param {string[]} lines */
  function attachTip(target, lines) {
    const show = () => {
      tip.replaceChildren(...lines.map((l) => el('div', undefined, l)));
      const r = target.getBoundingClientRect();
      tip.hidden = false;
      tip.style.left = Math.min(r.left, window.innerWidth - tip.offsetWidth - 8) + 'px';
      tip.style.top = (r.bottom + window.scrollY + 4) + 'px';
    };
    const hide = () => { tip.hidden = true; };
    target.addEventListener('mouseenter', show);
    target.addEventListener('focus', show);
    target.addEventListener('mouseleave', hide);
    target.addEventListener('blur', hide);
  }

  /**
   * One bar drawn to scale over [from, to). Assumes block offsets are unit offsets, as are a chunk's
   * startOffset/endOffset (first and reserved chunks share unit 0's address space; a dynamic chunk
   * spans [startOffset, endOffset) of its own units). Check against src/core/sim when it lands.
   * @param {number} viewIndex @param {any[]} blocks @param {number} from @param {number} to @param {{start:number,end:number,cls:string,label:string}[]} bands
   */
  function bar(viewIndex, blocks, from, to, bands) {
    const b = el('div', 'bar');
    const span = Math.max(1, to - from);
    const place = (/** @type {HTMLElement} */ e, off, size) => {
      e.style.left = (100 * (off - from) / span) + '%';
      e.style.width = (100 * size / span) + '%';
    };
    for (const band of bands) {
      const e = el('div', 'band ' + band.cls);
      place(e, band.start, band.end - band.start);
      if ((band.end - band.start) / span > 0.06) e.appendChild(el('span', 'band-label', band.label)); // no label where it cannot fit
      b.appendChild(e);
    }
    for (const blk of blocks) {
      const e = el(blk.file ? 'button' : 'div', 'block kind-' + (['static', 'alloc', 'free', 'hidden'].includes(blk.kind) ? blk.kind : 'hidden'));
      place(e, blk.offset, blk.size);
      const label = blk.label || blk.kind;
      e.setAttribute('aria-label', label + ', ' + bytes(blk.size));
      e.dataset.label = label;
      const lines = [label, blk.kind + ' · ' + bytes(blk.size) + ' at offset ' + blk.offset];
      if (blk.file) {
        lines.push(blk.file + ':' + blk.line);
        /** @type {HTMLButtonElement} */ (e).type = 'button';
        e.addEventListener('click', () => open(viewIndex, blk.file, blk.line));
      }
      attachTip(e, lines);
      b.appendChild(e);
    }
    return b;
  }

  /** @param {[string,string,string?][]} rows */
  function numbers(rows) {
    const dl = el('dl', 'numbers');
    for (const [k, v, key] of rows) {
      const dt = el('dt', undefined, k);
      const dd = el('dd', undefined, v);
      if (key) dd.dataset.k = key;
      dl.append(dt, dd);
    }
    return dl;
  }

  /** @param {string} caption @param {string[]} head @param {any[][]} rows */
  function table(caption, head, rows) {
    const t = el('table');
    t.appendChild(el('caption', undefined, caption));
    const tr = el('tr');
    for (const h of head) tr.appendChild(el('th', undefined, h));
    t.appendChild(el('thead')).appendChild(tr);
    const tb = t.appendChild(el('tbody'));
    for (const r of rows) {
      const row = tb.appendChild(el('tr'));
      for (const c of r) { const td = row.appendChild(el('td')); if (c instanceof Node) td.appendChild(c); else td.textContent = String(c); }
    }
    return t;
  }

  /** @param {{title:string, view:any}} pv @param {number} vi */
  function renderView(pv, vi) {
    const v = pv.view; const s = v.snapshot; const fc = s.firstChunk;
    const sec = el('section', 'view');
    sec.appendChild(el('h2', undefined, pv.title));
    sec.appendChild(el('code', 'bootline', fc.bootLine)).dataset.k = 'bootLine';
    sec.appendChild(numbers([
      ['static', bytes(fc.static) + ' (' + fc.static + ' B)', 'static'],
      ['reserved', bytes(fc.reserved) + ' (' + fc.reserved + ' B)', 'reserved'],
      ['dynamic', bytes(fc.dynamic) + ' (' + fc.dynamic + ' B)', 'dynamic'],
      ['unit size', bytes(s.unitSize) + ' (' + s.unitSize + ' B)', 'unitSize'],
      ['units × unit size', s.nrUnits + ' × ' + bytes(s.unitSize) + ' = ' + bytes(s.nrUnits * s.unitSize), 'firstChunkTotal'],
      ['possible CPUs / NR_CPUS', v.possibleCpus + ' / ' + v.nrCpus, 'cpus'],
      ['NR_CPUS arrays', bytes(v.totals.nrCpusArrayBytes), 'nrCpusArrays'],
    ]));

    const firstBlocks = [];
    for (const c of s.chunks) if (c.kind === 'first' || c.kind === 'reserved') firstBlocks.push(...c.blocks);
    sec.appendChild(el('h3', undefined, 'First chunk, one unit (of ' + s.nrUnits + ')'));
    sec.appendChild(bar(vi, firstBlocks, 0, fc.unitSize, [
      { start: 0, end: fc.static, cls: 'band-static', label: 'static' },
      { start: fc.static, end: fc.static + fc.reserved, cls: 'band-reserved', label: 'reserved' },
      { start: fc.static + fc.reserved, end: fc.static + fc.reserved + fc.dynamic, cls: 'band-dynamic', label: 'dynamic' },
      // pcpu_embed_first_chunk gives the rest of each unit back to memblock
      ...(fc.static + fc.reserved + fc.dynamic < fc.unitSize
        ? [{ start: fc.static + fc.reserved + fc.dynamic, end: fc.unitSize, cls: 'band-tail', label: 'unit tail, freed at boot' }] : []),
    ])).classList.add('first');
    // Small objects vanish at unit scale: zoom into the static area and the used part of the dynamic area.
    const statics = firstBlocks.filter((b) => b.offset < fc.static && b.kind !== 'free');
    if (statics.length) {
      sec.appendChild(el('h3', undefined, 'Static area, zoomed (' + bytes(fc.static) + ')'));
      sec.appendChild(bar(vi, statics, 0, fc.static, [])).classList.add('zoom-static');
    }
    const dynStart = fc.static + fc.reserved;
    const allocs = firstBlocks.filter((b) => b.kind === 'alloc' && b.offset >= dynStart);
    if (allocs.length) {
      const end = Math.max(...allocs.map((b) => b.offset + b.size));
      sec.appendChild(el('h3', undefined, 'Dynamic area, used part zoomed (' + bytes(end - dynStart) + ' of ' + bytes(fc.dynamic) + ')'));
      sec.appendChild(bar(vi, allocs, dynStart, end, [])).classList.add('zoom-dynamic');
    }
    const legend = sec.appendChild(el('div', 'legend'));
    for (const k of ['static', 'alloc', 'free', 'hidden']) legend.appendChild(el('span', 'key kind-' + k, k));

    for (const c of s.chunks) {
      const frag = c.freeBytes ? Math.round(100 * (1 - c.contigBytes / c.freeBytes)) : 0;
      const h = el('h3', 'chunk-caption', 'chunk #' + c.id + ' (' + c.kind + '): ' + bytes(c.size) + ', free ' + bytes(c.freeBytes) +
        ', largest free ' + bytes(c.contigBytes) + ', fragmentation ' + frag + '%, pages ' + c.populatedPages + '/' + c.nrPages + ' populated');
      sec.appendChild(h);
      if (c.kind === 'dynamic') sec.appendChild(bar(vi, c.blocks, c.startOffset, c.endOffset, []));
    }

    if (v.dynamic.callsites.length) {
      sec.appendChild(table('Dynamic allocations', ['callsite', 'type', 'size/cpu', 'count', 'total/cpu'],
        v.dynamic.callsites.map((c) => [srcLink(vi, c.file, c.line), c.type, bytes(c.size), c.count, bytes(c.total)])));
    }
    if (v.static.length) {
      sec.appendChild(table('Static per-CPU variables', ['variable', 'size', 'align', 'where'],
        v.static.map((x) => [x.name, bytes(x.size), x.align, srcLink(vi, x.file, x.line)])));
    }
    if (v.nrCpusArrays.length) {
      sec.appendChild(table('NR_CPUS arrays', ['array', 'element', 'total', 'where'],
        v.nrCpusArrays.map((x) => [x.name, bytes(x.elementBytes), bytes(x.total), srcLink(vi, x.file, x.line)])));
    }
    if (v.unresolved.length) {
      sec.appendChild(table('Unresolved', ['where', 'reason'], v.unresolved.map((x) => [srcLink(vi, x.file, x.line), x.reason])));
    }
    return sec;
  }

  /** @param {any} state */
  function render(state) {
    if (!state || !Array.isArray(state.views)) return;
    const views = state.views.map(renderView);
    root.replaceChildren(...views);
    root.classList.toggle('compare', views.length > 1);
  }

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (m && m.type === 'show') { vscode.setState(m.state); render(m.state); }
  });
  render(vscode.getState());
  vscode.postMessage({ type: 'ready' });
})();
