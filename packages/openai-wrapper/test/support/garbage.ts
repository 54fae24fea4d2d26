// Forced garbage collection for the tests of what happens when a caller drops a stream.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');

/** Runs a full garbage collection now (finalizers run in later tasks). */
export const collectGarbage = runInNewContext('gc') as () => void;
