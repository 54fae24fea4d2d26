import { createHash } from 'node:crypto';

/**
 * Runs a Lua script on Redis. Adapt any client in a few lines; {@link ioredisEvaluator} adapts
 * ioredis. For node-redis: `{ evaluate: (lua, keys, args) => client.eval(lua, { keys, arguments: args.map(String) }) }`.
 */
export interface RedisEvaluator {
  evaluate(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/** The subset of an ioredis client that {@link ioredisEvaluator} uses. */
export interface IoredisLike {
  evalsha(sha: string, keyCount: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(script: string, keyCount: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

const evaluators = new WeakMap<IoredisLike, RedisEvaluator>();

/**
 * Adapts an ioredis client: `EVALSHA` first, `EVAL` once when Redis does not know the script yet.
 * The same client always gets the same evaluator, so limiters built on it can be scopes of one
 * `redisTryAcquireAll`.
 */
export function ioredisEvaluator(client: IoredisLike): RedisEvaluator {
  const known = evaluators.get(client);
  if (known !== undefined) return known;
  const hashes = new Map<string, string>();
  const evaluator: RedisEvaluator = {
    async evaluate(script, keys, args) {
      let sha = hashes.get(script);
      if (sha === undefined) hashes.set(script, (sha = createHash('sha1').update(script).digest('hex')));
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return client.eval(script, keys.length, ...keys, ...args);
      }
    },
  };
  evaluators.set(client, evaluator);
  return evaluator;
}
