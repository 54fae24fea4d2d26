// Lua scripts of the Redis limiter: the arithmetic of crates/tollgate-core/src/limiter (windows as
// rings of 12 + 1 slots, buckets, in-flight leases) made atomic, with time read from Redis
// (`TIME`, whole milliseconds) so every process and host agrees on it. Each key's state is one
// hash (`h<rule>` ring head, `c<rule>_<slot>` counts, `l<rule>`/`t<rule>` bucket level and refill
// time, `last`) and one sorted set of leases (`<lease id>:<requests>` scored by expiry).

const COMMON = `
local RING = 13
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function load(hash)
  local raw = redis.call('HGETALL', hash)
  local state = {}
  for index = 1, #raw, 2 do state[raw[index]] = tonumber(raw[index + 1]) end
  return state
end
local function advance(state, rule, period, now)
  local slot = period / 12
  local current = math.floor(now / slot)
  local head = state['h' .. rule] or current
  if current > head then
    for step = 1, math.min(current - head, RING) do state['c' .. rule .. '_' .. ((head + step) % RING)] = 0 end
    head = current
  end
  state['h' .. rule] = head
  local counted = 0
  for index = 0, RING - 1 do counted = counted + (state['c' .. rule .. '_' .. index] or 0) end
  return head, counted, slot
end
local function refill(state, rule, capacity, per_second, now)
  local level = state['l' .. rule] or capacity
  local at = state['t' .. rule] or now
  level = math.min(level + (now - at) * (per_second / 1000), capacity)
  state['l' .. rule] = level
  state['t' .. rule] = now
  return level
end
local function save(hash, state, horizon)
  local flat = {}
  for field, value in pairs(state) do
    flat[#flat + 1] = field
    flat[#flat + 1] = string.format('%.17g', value)
  end
  if #flat > 0 then redis.call('HSET', hash, unpack(flat)) end
  redis.call('PEXPIRE', hash, math.ceil(horizon))
end
local function horizon_of(rules)
  local longest = 1000
  for _, rule in ipairs(rules) do
    if rule[1] == 0 then longest = math.max(longest, rule[4] / 12 * RING) end
    if rule[1] == 1 then longest = math.max(longest, rule[3] / (rule[4] / 1000)) end
  end
  return longest + 1000
end
`;

/**
 * KEYS: per scope its state hash and lease set. ARGV: requests, tokens, lease id, scope count,
 * then per scope: rule count, lease timeout ms, and 4 numbers per rule (as `encodeSpec`).
 * Returns `[outcome, retryAfterMs, scope index, rule index, per scope: atMs, remaining...]`.
 */
export const ACQUIRE_SCRIPT = `${COMMON}
local requests, tokens, lease_id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local now = now_ms()
local scopes, at = {}, 5
for index = 1, tonumber(ARGV[4]) do
  local scope = { hash = KEYS[index * 2 - 1], leases = KEYS[index * 2], lease_timeout = tonumber(ARGV[at + 1]), rules = {} }
  local count = tonumber(ARGV[at])
  at = at + 2
  for rule = 1, count do
    scope.rules[rule] = { tonumber(ARGV[at]), tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]) }
    at = at + 4
  end
  scopes[index] = scope
end

local fits, wait, wait_scope, wait_rule = true, 0, -1, -1
for index, scope in ipairs(scopes) do
  local state = load(scope.hash)
  scope.state = state
  scope.now = math.max(now, state['last'] or now)
  redis.call('ZREMRANGEBYSCORE', scope.leases, '-inf', scope.now)
  local members = redis.call('ZRANGE', scope.leases, 0, -1, 'WITHSCORES')
  scope.in_flight, scope.earliest = 0, nil
  for member = 1, #members, 2 do
    scope.in_flight = scope.in_flight + tonumber(string.match(members[member], ':(%d+)$'))
    local expires = tonumber(members[member + 1])
    if scope.earliest == nil or expires < scope.earliest then scope.earliest = expires end
  end
  for rule_index, rule in ipairs(scope.rules) do
    local kind, wanted, rule_wait = rule[1], (rule[2] == 1) and tokens or requests, nil
    if kind == 0 then
      local head, counted, slot = advance(state, rule_index, rule[4], scope.now)
      if wanted > rule[3] then return { -1, 0, index - 1, rule_index - 1 } end
      if wanted > 0 and counted + wanted > rule[3] then
        local needed, freed = counted + wanted - rule[3], 0
        for slot_number = head - 12, head do
          freed = freed + (state['c' .. rule_index .. '_' .. (slot_number % RING)] or 0)
          if freed >= needed then rule_wait = math.max((slot_number + RING) * slot - scope.now, 0) break end
        end
      end
    elseif kind == 1 then
      local level = refill(state, rule_index, rule[3], rule[4], scope.now)
      if wanted > rule[3] then return { -1, 0, index - 1, rule_index - 1 } end
      if wanted > 0 and level < wanted then rule_wait = (wanted - level) / (rule[4] / 1000) end
    else
      if requests > rule[3] then return { -1, 0, index - 1, rule_index - 1 } end
      if requests > 0 and scope.in_flight + requests > rule[3] then rule_wait = math.max((scope.earliest or scope.now) - scope.now, 0) end
    end
    if rule_wait ~= nil then
      fits = false
      if rule_wait >= wait then wait, wait_scope, wait_rule = rule_wait, index - 1, rule_index - 1 end
    end
  end
end

local reply = { fits and 1 or 0, fits and 0 or math.max(math.ceil(wait), 1), wait_scope, wait_rule }
for _, scope in ipairs(scopes) do
  local state = scope.state
  if fits then
    for rule_index, rule in ipairs(scope.rules) do
      local wanted = (rule[2] == 1) and tokens or requests
      if rule[1] == 0 then
        local field = 'c' .. rule_index .. '_' .. (state['h' .. rule_index] % RING)
        state[field] = math.min((state[field] or 0) + wanted, 4294967295)
      elseif rule[1] == 1 then
        state['l' .. rule_index] = state['l' .. rule_index] - wanted
      elseif requests > 0 then
        scope.in_flight = scope.in_flight + requests
        redis.call('ZADD', scope.leases, scope.now + scope.lease_timeout, lease_id .. ':' .. requests)
        redis.call('PEXPIRE', scope.leases, math.ceil(scope.lease_timeout) + 1000)
      end
    end
    state['last'] = scope.now
    save(scope.hash, state, horizon_of(scope.rules))
  end
  reply[#reply + 1] = scope.now
  for rule_index, rule in ipairs(scope.rules) do
    local remaining
    if rule[1] == 0 then
      local counted = 0
      for index = 0, RING - 1 do counted = counted + (state['c' .. rule_index .. '_' .. index] or 0) end
      remaining = math.max(rule[3] - counted, 0)
    elseif rule[1] == 1 then
      remaining = math.floor(math.max(state['l' .. rule_index], 0))
    else
      remaining = math.max(rule[3] - scope.in_flight, 0)
    end
    reply[#reply + 1] = remaining
  end
end
return reply
`;

/** KEYS: state hash. ARGV: rule count, 4 numbers per rule, atMs, delta tokens. */
export const SETTLE_SCRIPT = `${COMMON}
local count = tonumber(ARGV[1])
local rules = {}
for rule = 1, count do
  local at = 2 + (rule - 1) * 4
  rules[rule] = { tonumber(ARGV[at]), tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]) }
end
local taken_at, delta = tonumber(ARGV[2 + count * 4]), tonumber(ARGV[3 + count * 4])
local state = load(KEYS[1])
local now = math.max(now_ms(), state['last'] or 0)
for rule_index, rule in ipairs(rules) do
  if rule[1] == 0 then
    local head, _, slot = advance(state, rule_index, rule[4], now)
    if rule[2] == 1 and delta < 0 then
      local taken_slot = math.floor(taken_at / slot)
      if taken_slot <= head and taken_slot >= head - 12 then
        local field = 'c' .. rule_index .. '_' .. (taken_slot % RING)
        state[field] = math.max((state[field] or 0) + delta, 0)
      end
    elseif rule[2] == 1 and delta > 0 then
      local field = 'c' .. rule_index .. '_' .. (head % RING)
      state[field] = math.min((state[field] or 0) + delta, 4294967295)
    end
  elseif rule[1] == 1 then
    local level = refill(state, rule_index, rule[3], rule[4], now)
    if rule[2] == 1 then state['l' .. rule_index] = math.min(level - delta, rule[3]) end
  end
end
if delta > 0 then state['last'] = now end
save(KEYS[1], state, horizon_of(rules))
return 1
`;

/** KEYS: lease set. ARGV: member. Returns 1 when the lease was still held. */
export const RELEASE_SCRIPT = `return redis.call('ZREM', KEYS[1], ARGV[1])`;
