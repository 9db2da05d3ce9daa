import * as fs from 'fs';

/** Bad usage or bad input: printed without a stack, exit code 2. */
export class UsageError extends Error {}

export function parseIntOption(name: string, min: number, max: number) {
  return (v: string): number => {
    if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`${name} must be an integer, got "${v}"`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${v}`);
    return n;
  };
}

/** A file the user named, or a UsageError saying why it cannot be read. */
export function readFileOrUsage(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
