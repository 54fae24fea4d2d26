// Boots router-bench-worker.ts in a worker thread: loader hooks of the main thread do not reach
// workers on Node 20, so tsx is registered here.
import { register } from 'tsx/esm/api';

register();
await import('./router-bench-worker.ts');
