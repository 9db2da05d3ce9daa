import type { Command } from 'commander';
import { UsageError } from '../errors';

export function register(program: Command): void {
  program
    .command('layout')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UsageError('layout is not implemented yet');
    });
}
