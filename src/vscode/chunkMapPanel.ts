// The chunk-map webview: one panel, restored after reload by a WebviewPanelSerializer. The page gets
// its data by postMessage; every message it sends back is validated before we act on it.
import * as path from 'path';
import * as vscode from 'vscode';
import { makeNonce } from './escape';
import { isSafeRevision, parsePanelState, parseWebviewMessage, type HostMessage, type PanelState } from './messages';
import { revisionUri } from './revisionDocs';
import { chunkMapHtml } from './webviewHtml';

export const VIEW_TYPE = 'percpuLens.chunkMap';
/** where esbuild.js writes the page script built from media/chunkmap/ */
const WEBVIEW_DIR = ['dist', 'webview'];

export class ChunkMapPanel implements vscode.Disposable {
  static current: ChunkMapPanel | undefined;
  private state: PanelState | undefined;
  private readonly subs: vscode.Disposable[] = [];

  static show(extensionUri: vscode.Uri, state: PanelState, log: vscode.LogOutputChannel): ChunkMapPanel {
    if (ChunkMapPanel.current) {
      ChunkMapPanel.current.panel.reveal(vscode.ViewColumn.Beside);
    } else {
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'percpu chunk map', vscode.ViewColumn.Beside, options(extensionUri));
      ChunkMapPanel.current = new ChunkMapPanel(panel, extensionUri, log);
    }
    ChunkMapPanel.current.update(state);
    return ChunkMapPanel.current;
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, raw: unknown, log: vscode.LogOutputChannel): void {
    panel.webview.options = options(extensionUri);
    ChunkMapPanel.current?.dispose();
    ChunkMapPanel.current = new ChunkMapPanel(panel, extensionUri, log);
    const state = parsePanelState(raw);
    if (state) ChunkMapPanel.current.update(state);
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    const w = panel.webview;
    // the page script is bundled by esbuild (it shares the formatter and the data shaping with the host)
    w.html = chunkMapHtml({
      cspSource: w.cspSource, nonce: makeNonce(), title: 'percpu chunk map',
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...WEBVIEW_DIR, 'chunkmap.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(media, 'chunkmap.css')).toString(),
    });
    this.subs.push(
      panel.onDidDispose(() => this.dispose()),
      w.onDidReceiveMessage((raw) => void this.onMessage(raw)),
    );
  }

  update(state: PanelState): void {
    this.state = state;
    this.panel.title = state.diff ? 'percpu: cost of the change' : state.views.length > 1 ? 'percpu: compare configs' : 'percpu chunk map';
    void this.post({ type: 'show', state });
  }

  private post(m: HostMessage): Thenable<boolean> { return this.panel.webview.postMessage(m); }

  private async onMessage(raw: unknown): Promise<void> {
    const m = parseWebviewMessage(raw, this.state);
    if (!m) { this.log.warn(`chunk map: ignored a malformed message from the webview`); return; }
    if (m.type === 'ready') { if (this.state) void this.post({ type: 'show', state: this.state }); return; }
    const root = this.state!.views[m.viewIndex].view.root;
    const abs = path.resolve(root, m.file);
    if (path.relative(root, abs).startsWith('..')) return; // belt and braces over isSafeRelativePath
    // a diff's OLD side (views[0]) is a revision: its items are opened as that revision holds them
    const rev = this.state!.diff && m.viewIndex === 0 ? this.state!.diff.result.old.label : undefined;
    try {
      const uri = rev !== undefined && isSafeRevision(rev) ? revisionUri(root, m.file, rev) : vscode.Uri.file(abs);
      const doc = await vscode.workspace.openTextDocument(uri);
      const pos = new vscode.Position(Math.min(m.line - 1, doc.lineCount - 1), 0);
      // never in the map's own column: that would hide the map the user is exploring
      const column = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
      await vscode.window.showTextDocument(doc, { viewColumn: column, selection: new vscode.Range(pos, pos) });
    } catch (e) {
      void vscode.window.showErrorMessage(`percpu-lens: cannot open ${m.file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return; // panel.dispose() fires onDidDispose, which lands here again
    this.disposed = true;
    if (ChunkMapPanel.current === this) ChunkMapPanel.current = undefined;
    this.panel.dispose();
    for (const s of this.subs) s.dispose();
  }
}

function options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, ...WEBVIEW_DIR)] };
}

export class ChunkMapSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    ChunkMapPanel.revive(panel, this.extensionUri, state, this.log);
  }
}
