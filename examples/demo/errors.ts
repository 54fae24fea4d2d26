/**
 * An expected failure of the demo (a missing path, no readable text, a count mismatch): `main.ts`
 * prints its one-sentence message without a stack trace and exits with status 1.
 */
export class DemoError extends Error {
  override readonly name = 'DemoError';
}
