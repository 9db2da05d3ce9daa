// Command-line options of the hand-run scripts: Node's util.parseArgs, with a one-line error and
// exit code 2 for a bad option instead of a stack trace.
const path = require('path');
const { parseArgs } = require('util');

function argv(spec) {
  try {
    return parseArgs(spec);
  } catch (e) {
    console.error(`${path.basename(process.argv[1] ?? 'script')}: ${e.message}`);
    process.exit(2);
  }
}

module.exports = { argv };
