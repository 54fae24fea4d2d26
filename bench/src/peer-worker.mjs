// Runs one peer tokenizer on one text inside a worker thread, so a quadratic peer can be stopped
// at the time cap by terminating the worker. Posts { count, ms } when done.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

import { countPeer, loadPeer } from './peers.mjs';

const { peer, encoding, text } = workerData;
const counter = await loadPeer(peer, encoding);
const started = performance.now();
const count = countPeer(counter, text);
parentPort.postMessage({ count, ms: performance.now() - started });
