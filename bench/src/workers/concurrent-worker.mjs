// Boots concurrent-worker.ts in a worker thread: the main thread's tsx loader hooks do not reach
// workers on Node 20, so tsx is registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./concurrent-worker.ts');
