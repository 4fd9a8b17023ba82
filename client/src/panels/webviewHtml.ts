import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The page of a webview panel: nothing loads but our stylesheet and the one script carrying this page's nonce
 * (default-src 'none'), so a value shown in the page (a log line, a variable label) can never run as code.
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  options: { title: string; script: string; body: string },
): string {
  const nonce = randomBytes(18).toString('base64');
  const styleUri = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  const scriptUri = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', options.script));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri.toString()}">
<title>${escapeHtml(options.title)}</title>
</head>
<body>
${options.body}
<script nonce="${nonce}" src="${scriptUri.toString()}"></script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Every open WindFlow panel: a new one joins the editor group they are in. */
const openPanels = new Set<vscode.WebviewPanel>();

/**
 * Where a new WindFlow panel opens: the group holding the WindFlow panels already open, else beside the editor. So
 * the deploy form, logs and status share one group instead of each opening a group beside the last.
 */
function panelColumn(): vscode.ViewColumn {
  for (const panel of openPanels) if (panel.viewColumn !== undefined) return panel.viewColumn;
  return vscode.ViewColumn.Beside;
}

/**
 * Opens a WindFlow panel showing one page: its script bundle (dist/) and body, with the extension's icon, in the
 * group of the other WindFlow panels. Callers keep one panel per deployment and kind and reveal it instead.
 */
export function openWebviewPanel(
  extensionUri: vscode.Uri,
  page: { viewType: string; title: string; script: string; body: string },
): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(page.viewType, page.title, panelColumn(), panelOptions(extensionUri));
  openPanels.add(panel);
  panel.onDidDispose(() => openPanels.delete(panel));
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'windflow.png');
  panel.webview.html = webviewHtml(panel.webview, extensionUri, page);
  return panel;
}

/** The webview options every panel uses: scripts on, and only media/ and dist/ readable. */
function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Panels hold state the user built (typed values, followed logs): keep it when the tab is in the background.
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}
