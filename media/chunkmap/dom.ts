// Small DOM helpers for the chunk-map webview. Text only ever goes in through textContent (never
// innerHTML), so file names and identifiers cannot become markup; positions go through CSSOM, which
// the CSP allows without 'unsafe-inline'.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function button(cls: string, text: string, onClick: (ev: MouseEvent) => void): HTMLButtonElement {
  const b = el('button', cls, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

const tip = (): HTMLElement => document.getElementById('tooltip') as HTMLElement;

export function hideTip(): void { tip().hidden = true; }

/** Hover and focus show the lines in the shared tooltip (the element's aria-label says the same). */
export function attachTip(target: HTMLElement, lines: () => string[]): void {
  const show = () => {
    const t = tip();
    t.replaceChildren(...lines().map((l) => el('div', undefined, l)));
    t.hidden = false;
    const r = target.getBoundingClientRect();
    const left = Math.max(4, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - t.offsetWidth - 4));
    t.style.left = `${left}px`;
    t.style.top = `${r.bottom + window.scrollY + 4}px`;
  };
  const hide = hideTip;
  target.addEventListener('mouseenter', show);
  target.addEventListener('focus', show);
  target.addEventListener('mouseleave', hide);
  target.addEventListener('blur', hide);
}

/**
 * Roving tabindex over `items` inside `container`: one tab stop for the whole group; arrow keys, Home
 * and End move between the items. `onKey` handles the other keys for the focused item (return true if used).
 */
export function roving(container: HTMLElement, items: HTMLElement[], active: number, opts: {
  keys?: 'horizontal' | 'vertical';
  onMove?: (i: number) => void;
  onKey?: (ev: KeyboardEvent, i: number) => boolean;
} = {}): void {
  if (!items.length) return;
  let cur = Math.min(Math.max(0, active), items.length - 1);
  items.forEach((it, i) => { it.tabIndex = i === cur ? 0 : -1; });
  const [next, prev] = opts.keys === 'vertical' ? ['ArrowDown', 'ArrowUp'] : ['ArrowRight', 'ArrowLeft'];
  const go = (i: number) => {
    const j = Math.min(Math.max(0, i), items.length - 1);
    items[cur].tabIndex = -1;
    cur = j;
    items[cur].tabIndex = 0;
    items[cur].focus();
    opts.onMove?.(cur);
  };
  items.forEach((it, i) => it.addEventListener('focus', () => {
    if (cur !== i) { items[cur].tabIndex = -1; cur = i; it.tabIndex = 0; opts.onMove?.(cur); }
  }));
  container.addEventListener('keydown', (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { if (opts.onKey?.(ev, cur)) ev.preventDefault(); return; }
    const k = ev.key;
    if (k === next || (opts.keys !== 'vertical' && k === 'ArrowDown')) go(cur + 1);
    else if (k === prev || (opts.keys !== 'vertical' && k === 'ArrowUp')) go(cur - 1);
    else if (k === 'Home') go(0);
    else if (k === 'End') go(items.length - 1);
    else if (k === 'PageDown') go(cur + 10);
    else if (k === 'PageUp') go(cur - 10);
    else if (!opts.onKey?.(ev, cur)) return;
    ev.preventDefault();
  });
}
