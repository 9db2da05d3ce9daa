import type { Command } from 'commander';
import { UsageError } from '../errors';

export function register(program: Command): void {
  program
    .command('estimate')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UsageError('estimate is not implemented yet');
    });
}
