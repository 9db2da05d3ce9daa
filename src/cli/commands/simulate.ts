import type { Command } from 'commander';
import { UsageError } from '../errors';

export function register(program: Command): void {
  program
    .command('simulate')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UsageError('simulate is not implemented yet');
    });
}
