// Loads web-tree-sitter and the C grammar once per process (CLI, extension host and workers alike).
// `import = require` picks the CJS build; the ESM import breaks when esbuild bundles us as CJS.
import WTS = require('web-tree-sitter');
import { wasmPath } from '../assets';

export type Parser = WTS.Parser;
export type Tree = WTS.Tree;
export type Node = WTS.Node;
export type Language = WTS.Language;
export type Query = WTS.Query;
export type QueryMatch = WTS.QueryMatch;
export const QueryCtor = WTS.Query;

let loading: Promise<Language> | undefined;

export function loadC(): Promise<Language> {
  if (!loading) {
    loading = (async () => {
      await WTS.Parser.init({ locateFile: () => wasmPath('tree-sitter.wasm') });
      return WTS.Language.load(wasmPath('tree-sitter-c.wasm'));
    })();
  }
  return loading;
}

export async function newParser(): Promise<Parser> {
  const lang = await loadC();
  const p = new WTS.Parser();
  p.setLanguage(lang);
  return p;
}
