/**
 * Lua scripts of the Redis-shared router state. Every expiry runs on Redis's clock (`PX`, `PTTL`),
 * so processes whose clocks disagree still agree on how long a cooldown has left.
 */

/**
 * Extends a cooldown, never shortening a longer live one.
 * KEYS[1] cooldown key; ARGV[1] cooldown length in ms (an integer of at least 1).
 * Returns the ms the cooldown has left after the call.
 */
export const COOL_SCRIPT = `
local wanted = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left >= wanted then return left end
redis.call('SET', KEYS[1], '1', 'PX', wanted)
return wanted
`;

/**
 * Adds this process's usage since the last sync and reads every deployment's state, in one call.
 * KEYS: per deployment, its cooldown key then its usage key for minute ARGV[1].
 * ARGV: [1] minute, [2] usage key lifetime in ms, then per deployment its added requests and tokens.
 * Returns per deployment: cooldown ms left (0 when none), requests and tokens of the minute (the
 * tokens as a string, as they may be fractional).
 */
export const SYNC_SCRIPT = `
local lifetime = tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS / 2 do
  local cooldown = KEYS[2 * i - 1]
  local usage = KEYS[2 * i]
  local requests = tonumber(ARGV[2 * i + 1])
  local tokens = tonumber(ARGV[2 * i + 2])
  if requests ~= 0 then redis.call('HINCRBY', usage, 'r', requests) end
  if tokens ~= 0 then redis.call('HINCRBYFLOAT', usage, 't', tokens) end
  if requests ~= 0 or tokens ~= 0 then redis.call('PEXPIRE', usage, lifetime) end
  local left = redis.call('PTTL', cooldown)
  if left < 0 then left = 0 end
  local counts = redis.call('HMGET', usage, 'r', 't')
  out[3 * i - 2] = left
  out[3 * i - 1] = tonumber(counts[1] or '0')
  out[3 * i] = counts[2] or '0'
end
return out
`;
