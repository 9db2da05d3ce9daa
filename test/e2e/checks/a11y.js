// In-page audits for the chunk-map webview, shared by the editor test (test/e2e/checks/chunkmap.js)
// and the screenshot script (scripts/chunkmap-shots.js). Each function is passed to page.evaluate,
// so it must not use anything from this file's scope.
'use strict';

/**
 * WCAG contrast of every visible text (4.5:1, 3:1 for large text) against the background actually
 * painted under it (ancestors' colours composited), and of the edges of coloured blocks (3:1).
 * Returns { checked, failures: [{ text, ratio, need, fg, bg }], worst }.
 */
function contrastAudit() {
  const parse = (s) => {
    let m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(s);
    if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
    m = /^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/.exec(s);
    if (m) return [255 * m[1], 255 * m[2], 255 * m[3], m[4] === undefined ? 1 : +m[4]];
    return undefined;
  };
  const over = (top, under) => {
    const a = top[3];
    return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a); const y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  let unknown = 0;
  const bgUnder = (el) => {
    const chain = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) chain.push(e);
    let bg = [255, 255, 255, 1];
    for (const e of chain.reverse()) {
      const cs = getComputedStyle(e);
      const c = parse(cs.backgroundColor);
      if (c === undefined) unknown++;
      else if (c[3] > 0) bg = over(c, bg);
    }
    return bg;
  };
  const failures = [];
  let checked = 0;
  let worst = Infinity;
  const visible = (el) => {
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') return false;
    if (el.closest('[hidden], details:not([open]) > :not(summary), button:disabled, .visually-hidden, #tooltip')) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !visible(el)) continue;
    // text over a gradient (clusters, the freed unit tail) is checked against each of its stripes below
    if (getComputedStyle(el).backgroundImage !== 'none' || el.closest('.cluster, .band-tail')) continue;
    const cs = getComputedStyle(el);
    const bg = bgUnder(el);
    const fc = parse(cs.color);
    if (!fc) { unknown++; continue; }
    const fg = over(fc, bg);
    const px = parseFloat(cs.fontSize);
    const large = px >= 24 || (px >= 18.66 && +cs.fontWeight >= 700);
    const need = large ? 3 : 4.5;
    const r = ratio(fg, bg);
    checked++;
    worst = Math.min(worst, r);
    if (r < need - 0.005) failures.push({ text: el.textContent.trim().slice(0, 40), cls: el.className, ratio: +r.toFixed(2), need, fg: hex(fg), bg: hex(bg) });
  }
  // edges of the coloured blocks and the grouped-bar segments against what surrounds them (non-text, 3:1)
  // (a diff's marked blocks: their dashed edge, in the text colour)
  for (const sel of ['.block.kind-static:not(.out):not(.nomatch)', '.block.kind-alloc:not(.out):not(.nomatch)', '.g-static', '.g-dynamic', '.cluster', '.block.chg']) {
    const el = document.querySelector(sel);
    if (!el || !visible(el)) continue;
    const border = parse(getComputedStyle(el).borderTopColor);
    if (!border) continue;
    const bg = bgUnder(el.parentElement);
    const r = ratio(over(border, bg), bg);
    checked++;
    if (r < 3 - 0.005) failures.push({ text: `edge of ${sel}`, ratio: +r.toFixed(2), need: 3, fg: hex(over(border, bg)), bg: hex(bg) });
  }
  // cluster labels sit on stripes of the two block fills: check the text against both
  const st = document.querySelector('.block.kind-static');
  const al = document.querySelector('.block.kind-alloc');
  const lab = document.querySelector('.cluster .block-label');
  if (lab && (st || al)) {
    const fg = parse(getComputedStyle(lab).color);
    for (const b of [st, al].filter(Boolean)) {
      const fill = over(parse(getComputedStyle(b).backgroundColor), bgUnder(b.parentElement));
      const r = ratio(over(fg, fill), fill);
      checked++;
      if (r < 4.5 - 0.005) failures.push({ text: 'cluster label on a stripe', ratio: +r.toFixed(2), need: 4.5, fg: hex(fg), bg: hex(fill) });
    }
  }
  return { checked, failures, worst: +worst.toFixed(2), unknownColours: unknown };
}

/** Does anything stick out sideways? Returns the page's scroll width, its width, and the widest offenders. */
function overflowAudit() {
  const w = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > w + 1 && !el.closest('#tooltip, .skip')) wide.push({ tag: el.tagName, cls: el.className, right: Math.round(r.right) });
  }
  return { scrollWidth: document.documentElement.scrollWidth, clientWidth: w, offenders: wide.slice(0, 5) };
}

/** The CSS variables VS Code put on the webview's <html> (the theme), to replay it outside the editor. */
function themeVariables() {
  return document.documentElement.getAttribute('style') || '';
}

module.exports = { contrastAudit, overflowAudit, themeVariables };
