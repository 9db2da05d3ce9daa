// HTML escaping for every string the extension host puts into webview HTML. The webview script itself
// never uses innerHTML; it builds DOM nodes and sets textContent.

const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"'`]/g, (c) => MAP[c]);
}

/** A random nonce for the CSP script-src of one webview load. */
export function makeNonce(): string {
  // crypto.randomUUID is available in Node ≥ 19 and in the extension host
  return globalThis.crypto.randomUUID().replace(/-/g, '');
}
