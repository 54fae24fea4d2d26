// Child process of the "cancelling a gzip body" test in pool-fetch-matches-fetch (argv[2]: 'small' or 'big'). 'small': a tiny gzip answer whose
// body is cancelled as soon as the Response is there. 'big': a 2 MB gzip answer fully received by
// the socket, one chunk read, then cancelled. Prints, per mode of pools.fetch, whether an uncaught
// exception happened; bounded, exits by itself.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createConnectionPools } from '../../src/pool/index.js';

const mode = process.argv[2] === 'big' ? 'big' : 'small';
const uncaught: unknown[] = [];
process.on('uncaughtException', (error) => uncaught.push(error));
let body = gzipSync('zipped');
if (mode === 'big') {
  // Incompressible-ish text: about 4 MB decoded from about 2 MB of gzip, so decoding outlasts the socket.
  let seed = 1;
  const text = Buffer.alloc(4 * 1024 * 1024);
  for (let index = 0; index < text.length; index += 1) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    text[index] = 97 + (seed % 16);
  }
  body = gzipSync(text);
}
const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const hardStop = setTimeout(() => process.exit(3), 20_000);

for (const fullFetch of [true, false]) {
  const label = fullFetch ? 'full' : 'direct';
  uncaught.length = 0;
  const pools = createConnectionPools({ fullFetch });
  const response = await pools.fetch(url);
  if (mode === 'big') {
    await new Promise((resolve) => setTimeout(resolve, 300)); // every compressed byte has arrived
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
  } else {
    await response.body!.cancel();
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  console.log(uncaught.length === 0 ? `${label}: no uncaught exception` : `${label}: ${uncaught.length} uncaught, first: ${String((uncaught[0] as Error).stack)}`);
  await pools.destroy();
}
clearTimeout(hardStop);
server.close();
process.exit(0);
