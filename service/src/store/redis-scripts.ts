/**
 * The Redis store's read-modify-write operations, each one Lua script run atomically by Redis. They mirror the
 * pure functions in `src/domain/` (the state layout in crdt.ts, the bucket level in token-bucket.ts, the event
 * order in rating-event.ts); the store contract suite runs the same cases against both stores.
 *
 * Every key a script touches is passed in KEYS. Numbers that must survive exactly (the bucket peak) are written
 * with %.17g; numbers returned to the client are returned as strings, since Redis truncates Lua numbers.
 */

/** Shared functions, prepended to every script. KEYS[1]: replica id (= feed epoch), KEYS[2]: feed position, KEYS[3]: feed. */
const PRELUDE = `
local function replica_id(candidate)
  local current = redis.call('GET', KEYS[1])
  if current then return current end
  redis.call('SET', KEYS[1], candidate)
  return candidate
end

local function log_change(member)
  redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[2]), member)
end

local function take_tokens(bucket_key, replica, now_ms, capacity, refill, cost)
  local consumed = 0
  local stored_peak = nil
  local fields = redis.call('HGETALL', bucket_key)
  for i = 1, #fields, 2 do
    local field, value = fields[i], tonumber(fields[i + 1])
    if field == 'peak' then
      stored_peak = value
    elseif string.sub(field, -2) == '|c' then
      consumed = consumed + value
    end
  end
  local level = refill * now_ms / 1000 - consumed
  local peak = stored_peak
  if peak == nil or level > peak then peak = level end
  local tokens = capacity - (peak - level)
  local allowed = tokens >= cost
  if peak ~= stored_peak then redis.call('HSET', bucket_key, 'peak', string.format('%.17g', peak)) end
  if allowed then redis.call('HINCRBY', bucket_key, replica .. '|c', cost) end
  return allowed, tokens, allowed or peak ~= stored_peak
end

local function store_event(event_key, expiries_key, event_json, member, expires_at)
  redis.call('SET', event_key, event_json, 'PXAT', expires_at)
  redis.call('ZADD', expiries_key, expires_at, member)
  log_change(member)
end

local function sweep_expired_events(expiries_key, now_ms)
  local expired = redis.call('ZRANGEBYSCORE', expiries_key, '-inf', now_ms, 'LIMIT', 0, 16)
  for _, member in ipairs(expired) do
    redis.call('ZREM', expiries_key, member)
    redis.call('ZREM', KEYS[3], member)
  end
end

local function state_table(key)
  local fields = redis.call('HGETALL', key)
  local state = {}
  for i = 1, #fields, 2 do state[fields[i]] = tonumber(fields[i + 1]) end
  return state
end
`;

function script(body: string): string {
  return `${PRELUDE}\n${body}`;
}

/**
 * An event counts as known while `at + ttl` is after `now` (Redis also expires it by then, on its own clock).
 * KEYS: 1-3 prelude, 4 expiries, 5 event, 6 subject, 7 bucket.
 * ARGV: 1 replica candidate, 2 now ms, 3 id, 4 subject, 5 actor, 6 stars, 7 event ttl ms,
 *       8 capacity, 9 refill per second, 10 cost, 11 subject member, 12 bucket member, 13 event member.
 * Returns {'existing', event json} | {'limited', tokens} | {'recorded', event json, tokens before the take}.
 */
export const RECORD_RATING = script(`
local now = tonumber(ARGV[2])
sweep_expired_events(KEYS[4], now)
local existing = redis.call('GET', KEYS[5])
if existing and cjson.decode(existing).at + tonumber(ARGV[7]) > now then return {'existing', existing} end
local replica = replica_id(ARGV[1])
local allowed, tokens, bucket_changed = take_tokens(KEYS[7], replica, now, tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]))
if bucket_changed then log_change(ARGV[12]) end
if not allowed then return {'limited', string.format('%.17g', tokens)} end
redis.call('HINCRBY', KEYS[6], replica .. '|p' .. ARGV[6], 1)
local snapshot = state_table(KEYS[6])
local updated_field = replica .. '|t'
if now > (snapshot[updated_field] or 0) then
  redis.call('HSET', KEYS[6], updated_field, ARGV[2])
  snapshot[updated_field] = now
end
log_change(ARGV[11])
local event = cjson.encode({
  id = ARGV[3], subject = ARGV[4], actor = ARGV[5], stars = tonumber(ARGV[6]),
  replica = replica, at = now, snapshot = snapshot,
})
store_event(KEYS[5], KEYS[4], event, ARGV[13], now + tonumber(ARGV[7]))
return {'recorded', event, string.format('%.17g', tokens)}
`);

/**
 * KEYS: 1-3 prelude, 4 bucket. ARGV: 1 replica candidate, 2 now ms, 3 capacity, 4 refill, 5 cost, 6 bucket member.
 * Returns {allowed 0|1, tokens before the take}.
 */
export const TAKE = script(`
local replica = replica_id(ARGV[1])
local allowed, tokens, changed = take_tokens(KEYS[4], replica, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
if changed then log_change(ARGV[6]) end
return {allowed and 1 or 0, string.format('%.17g', tokens)}
`);

/**
 * Joins a peer's state into a subject or bucket hash (every field at its maximum).
 * KEYS: 1-3 prelude, 4 hash. ARGV: 1 feed member, then field, value pairs. Returns 1 when the hash changed.
 */
export const MERGE_STATE = script(`
local changed = false
for i = 2, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[4], ARGV[i])
  if not current or tonumber(ARGV[i + 1]) > tonumber(current) then
    redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
    changed = true
  end
end
if changed then log_change(ARGV[1]) end
return changed and 1 or 0
`);

/**
 * A peer's event: kept when new here or earlier than ours (at, then replica id); when ours loses, this
 * replica retracts its own count. KEYS: 1-3 prelude, 4 expiries, 5 event, 6 subject.
 * ARGV: 1 replica candidate, 2 event json, 3 at, 4 replica, 5 expires at, 6 event member, 7 subject member, 8 now.
 * Returns 1 when the event was stored.
 */
export const MERGE_EVENT = script(`
local at, expires_at, now = tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[8])
if expires_at <= now then return 0 end
local mine_json = redis.call('GET', KEYS[5])
local mine = mine_json and cjson.decode(mine_json)
if mine and mine.at + (expires_at - at) > now then
  local earlier = at < mine.at or (at == mine.at and ARGV[4] < mine.replica)
  if not earlier then return 0 end
  if mine.replica == replica_id(ARGV[1]) then
    redis.call('HINCRBY', KEYS[6], mine.replica .. '|r' .. mine.stars, 1)
    log_change(ARGV[7])
  end
end
store_event(KEYS[5], KEYS[4], ARGV[2], ARGV[6], ARGV[5])
return 1
`);

/** KEYS: 1-3 prelude. ARGV: 1 replica candidate. Returns the replica id (= feed epoch). */
export const REPLICA_ID = script(`return replica_id(ARGV[1])`);
