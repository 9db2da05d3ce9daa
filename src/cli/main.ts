// percpu-lens CLI: one subcommand per module under ./commands. Usage errors exit 2, internal ones 1.
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands';
import { UsageError } from './errors';

async function main(argv: string[]): Promise<number> {
  const program = new Command('percpu-lens')
    .description('Estimate the per-CPU memory cost of Linux kernel code')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerCommands(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`percpu-lens: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`percpu-lens: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return 1;
  }
}

// Exit only once stdout has drained: a pipe reader would otherwise get truncated JSON.
main(process.argv).then((code) => process.stdout.write("", () => process.exit(code)));
