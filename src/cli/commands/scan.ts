import type { Command } from 'commander';
import { UsageError } from '../errors';

export function register(program: Command): void {
  program
    .command('scan')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UsageError('scan is not implemented yet');
    });
}
