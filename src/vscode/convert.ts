// Core positions (1-based lines, 0-based columns) to vscode ones, in one place.
import * as path from 'path';
import * as vscode from 'vscode';
import type { Span } from './core';

export function toRange(s: Span): vscode.Range {
  return new vscode.Range(Math.max(0, s.line - 1), Math.max(0, s.column), Math.max(0, s.endLine - 1), Math.max(0, s.endColumn));
}

/** A related location's file: the analysed document itself, an absolute path, or one relative to its folder. */
export function relatedUri(file: string, doc: vscode.TextDocument, docPath: string): vscode.Uri {
  if (file === docPath) return doc.uri;
  if (path.isAbsolute(file)) return vscode.Uri.file(file);
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  return folder ? vscode.Uri.joinPath(folder.uri, file) : vscode.Uri.joinPath(doc.uri, '..', file);
}
