// Runs the suite in a downloaded VS Code (Electron). Needs internet: not part of `npm test` here,
// where the code-server suite (test/e2e) is the gate. `npm run test:electron`.
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repo = path.resolve(__dirname, '../../..');
  await runTests({
    version: '1.100.0', // the oldest VS Code engines.vscode accepts
    extensionDevelopmentPath: repo,
    extensionTestsPath: path.resolve(__dirname, 'suite/index'),
    launchArgs: [path.join(repo, 'test/fixtures/e2e-kernel'), '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((e) => { console.error(e); process.exit(1); });
