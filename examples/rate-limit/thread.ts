// One worker thread of the example: 300 tries at the shared Redis limit, then reports how many
// were admitted.
import { parentPort, workerData } from 'node:worker_threads';

import { createRedisLimiter, ioredisEvaluator } from '@tollgate/core-native';
import { Redis } from 'ioredis';

const { port, name, limit } = workerData as { port: number; name: string; limit: number };
const redis = new Redis(port, '127.0.0.1');
const limiter = createRedisLimiter({ redis: ioredisEvaluator(redis), name, requestsPerMinute: limit, onUnavailable: 'closed' });

let admitted = 0;
for (let attempt = 0; attempt < 300; attempt += 1) if ((await limiter.tryAcquire('shared-key')).allowed) admitted += 1;
redis.disconnect();
parentPort!.postMessage(admitted);
