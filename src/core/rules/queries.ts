// The rules' tree-sitter queries, loaded once from the .scm files (dist/queries when bundled).
import * as fs from 'fs';
import { queryPath } from '../assets';
import { loadC, Query, QueryCtor } from '../parse/treeSitter';

const loaded = new Map<string, Promise<Query>>();

export function ruleQuery(name: 'rules-accessors.scm'): Promise<Query> {
  let q = loaded.get(name);
  if (!q) {
    q = loadC().then((lang) => new QueryCtor(lang, fs.readFileSync(queryPath(name), 'utf8')));
    loaded.set(name, q);
  }
  return q;
}
