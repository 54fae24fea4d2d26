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
 * Stores this process's usage totals and reads every deployment's state, in one call. Each
 * process keeps its own fields in a deployment's usage hash of a minute (`<name>:n`, `:r`, `:t`:
 * report number, requests, tokens), so a report sent twice, or again after Redis lost its data,
 * counts once, and a report numbered lower than the stored one (two threads' reports crossing)
 * is dropped.
 * KEYS: per deployment, its cooldown key, its usage key of minute M and of minute M - 1.
 * ARGV: [1] this process's name, [2] usage key lifetime in ms, then per deployment its report
 * number, its requests and tokens of M, its requests and tokens of M - 1.
 * Returns per deployment: cooldown ms left (0 when none), then the other processes' requests and
 * tokens of M (as strings: tokens may be fractional).
 */
export const SYNC_SCRIPT = `
local mine = ARGV[1] .. ':'
local lifetime = tonumber(ARGV[2])
local function store(key, number, requests, tokens)
  local known = redis.call('HMGET', key, mine .. 'n', mine .. 'r', mine .. 't')
  if known[1] == false then
    if requests == 0 and tokens == 0 then return end
  elseif tonumber(known[1]) >= number or (tonumber(known[2]) == requests and tonumber(known[3]) == tokens) then
    return
  end
  redis.call('HSET', key, mine .. 'n', number, mine .. 'r', requests, mine .. 't', tokens)
  redis.call('PEXPIRE', key, lifetime)
end
local out = {}
for i = 1, #KEYS / 3 do
  local at = 2 + 5 * (i - 1)
  local number = tonumber(ARGV[at + 1])
  store(KEYS[3 * i - 1], number, tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]))
  store(KEYS[3 * i], number, tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5]))
  local left = redis.call('PTTL', KEYS[3 * i - 2])
  if left < 0 then left = 0 end
  local fields = redis.call('HGETALL', KEYS[3 * i - 1])
  local requests, tokens = 0, 0
  for j = 1, #fields, 2 do
    local name = fields[j]
    if string.sub(name, 1, #mine) ~= mine then
      local kind = string.sub(name, -2)
      if kind == ':r' then
        requests = requests + tonumber(fields[j + 1])
      elseif kind == ':t' then
        tokens = tokens + tonumber(fields[j + 1])
      end
    end
  end
  out[3 * i - 2] = left
  out[3 * i - 1] = tostring(requests)
  out[3 * i] = tostring(tokens)
end
return out
`;
