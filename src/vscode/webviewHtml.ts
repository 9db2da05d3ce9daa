// The chunk-map page shell. No data goes into the HTML: it arrives by postMessage and the script
// renders it with textContent. Strict CSP: nothing loads but our own media/ files, scripts need the nonce.
import { escapeHtml } from './escape';

export interface HtmlInputs { cspSource: string; nonce: string; scriptUri: string; styleUri: string; title: string }

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function chunkMapHtml(i: HtmlInputs): string {
  const csp = contentSecurityPolicy(i.cspSource, i.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${escapeHtml(i.styleUri)}" rel="stylesheet">
<title>${escapeHtml(i.title)}</title>
</head>
<body>
<main id="chunkmap"><p class="empty">Run “percpu-lens: Estimate percpu footprint” to fill this view.</p></main>
<div id="cm-status" class="visually-hidden" role="status" aria-live="polite"></div>
<div id="tooltip" role="tooltip" hidden></div>
<script nonce="${escapeHtml(i.nonce)}" src="${escapeHtml(i.scriptUri)}"></script>
</body>
</html>`;
}
