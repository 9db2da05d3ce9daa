// SARIF 2.1.0 for CI systems: one run, one rule per diagnostic code, locations relative to the tree root.
import type * as Sarif from 'sarif';

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: string;
  helpUri?: string;
}

export interface SarifFinding {
  ruleId: string;
  level: 'error' | 'warning' | 'note';
  message: string;
  file: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  related?: { file: string; line: number; message: string }[];
  properties?: Record<string, unknown>;
}

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function location(file: string, line: number, column?: number, endLine?: number, endColumn?: number): Sarif.Location {
  const region: Sarif.Region = { startLine: Math.max(1, line) };
  if (column) region.startColumn = column;
  if (endLine) region.endLine = endLine;
  if (endColumn) region.endColumn = endColumn;
  return { physicalLocation: { artifactLocation: { uri: file.split('\\').join('/'), uriBaseId: 'SRCROOT' }, region } };
}

export function toSarif(findings: SarifFinding[], rules: SarifRule[], rootUri: string, version: string, properties?: Record<string, unknown>): Sarif.Log {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'percpu-lens',
            version,
            informationUri: 'https://github.com/percpu-lens/percpu-lens',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.shortDescription },
              ...(r.helpUri ? { helpUri: r.helpUri } : {}),
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: rootUri.endsWith('/') ? rootUri : `${rootUri}/` } },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId)! } : {}),
          level: f.level,
          message: { text: f.message },
          locations: [location(f.file, f.line, f.column, f.endLine, f.endColumn)],
          ...(f.related?.length
            ? { relatedLocations: f.related.map((r, i) => ({ ...location(r.file, r.line), id: i, message: { text: r.message } })) }
            : {}),
          ...(f.properties ? { properties: f.properties } : {}),
        })),
        ...(properties ? { properties } : {}),
      },
    ],
  };
}
