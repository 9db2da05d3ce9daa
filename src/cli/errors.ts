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
