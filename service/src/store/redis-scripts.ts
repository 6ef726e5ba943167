/**
 * The Redis store's read-modify-write operations, each one Lua script run atomically by Redis. They mirror the
 * pure functions in `src/domain/` (the state layout in crdt.ts, the bucket level in token-bucket.ts, the event
 * order in rating-event.ts); the store contract suite runs the same cases against both stores.
 *
 * Every key a script writes is passed in KEYS (the sweep also deletes feed members of expired events, which it
 * reads from the expiry list). Numbers that must survive exactly (the bucket peak) are written with %.17g;
 * numbers returned to the client are returned as strings, since Redis truncates Lua numbers.
 *
 * Written for Redis's cost model, which bench:service and a perf profile of redis-server showed: per script
 * call, the time goes to the redis.call overhead (command lookup, argument objects, a clock read per call),
 * to keyspace lookups, and to glibc's float formatting and parsing (a Lua number passed to redis.call or to
 * cjson.encode is printed with "%.14g", about half a microsecond each). So the scripts make one call per
 * hash (HGETALL, then one HSET), log all of a call's changes with one INCRBY and one ZADD, build the event
 * JSON from the strings Redis returned, print integers with "%d", and record several ratings per call.
 */

/**
 * Shared functions, prepended to every script. KEYS[1]: replica id (= feed epoch), KEYS[2]: feed position,
 * KEYS[3]: feed (a sorted set of member names by position).
 */
const PRELUDE = `
local function replica_id(candidate)
  local current = redis.call('GET', KEYS[1])
  if current then return current end
  redis.call('SET', KEYS[1], candidate)
  return candidate
end

local function int(n) return string.format('%d', n) end

-- The store's key prefix (ioredis adds it to KEYS only): the feed key without its name. A feed member is a key
-- without the prefix.
local key_prefix = string.sub(KEYS[3], 1, -5)
local function member_of(key) return string.sub(key, #key_prefix + 1) end

-- What this call changed, in order; flush_changes gives each its own feed position.
local changes = {}
local function log_change(member) changes[#changes + 1] = member end
local function flush_changes()
  local n = #changes
  if n == 0 then return end
  local last = redis.call('INCRBY', KEYS[2], n)
  local args = {}
  for i = 1, n do
    args[2 * i - 1] = int(last - n + i)
    args[2 * i] = changes[i]
  end
  redis.call('ZADD', KEYS[3], unpack(args))
end

-- Events stored by this call, as '<expires at ms> <feed member>' entries of the expiry list.
local stored_events = {}
local function store_event(event_key, event_json, member, expires_at)
  redis.call('SET', event_key, event_json, 'PXAT', expires_at)
  stored_events[#stored_events + 1] = expires_at .. ' ' .. member
  log_change(member)
end
local function flush_events(expiries_key)
  if #stored_events > 0 then redis.call('RPUSH', expiries_key, unpack(stored_events)) end
end

-- Drops the feed members of events that expired by now_ms (Redis deletes the events themselves at their PXAT,
-- on its own clock). The expiry list is in the order events were stored, which is their expiry order but for
-- an event merged from a peer, which expires no later than one stored at the same time here: its entry waits
-- at most one window longer. An entry whose event was stored again since (a merge replaced it) leaves the
-- member in the feed.
local function sweep_expired_events(expiries_key, now_ms, ttl)
  for _ = 1, 16 do
    local head = redis.call('LINDEX', expiries_key, 0)
    if not head then return end
    local space = string.find(head, ' ', 1, true)
    if tonumber(string.sub(head, 1, space - 1)) > now_ms then return end
    redis.call('LPOP', expiries_key)
    local member = string.sub(head, space + 1)
    local event = redis.call('GET', key_prefix .. member)
    if not event or cjson.decode(event).at + ttl <= now_ms then redis.call('ZREM', KEYS[3], member) end
  end
end

-- Takes cost tokens if the bucket has them. Returns allowed, the peak (%.17g, or as stored when unchanged),
-- the tokens consumed before the take (an integer: the caller computes the tokens from these two, by the same
-- formula, which saves printing a float) and whether the bucket changed.
local function take_tokens(bucket_key, replica, now_ms, capacity, refill, cost)
  local fields = redis.call('HGETALL', bucket_key)
  local mine_field = replica .. '|c'
  local consumed, mine, stored_peak, stored_peak_text = 0, 0, nil, nil
  for i = 1, #fields, 2 do
    local field = fields[i]
    if field == 'peak' then
      stored_peak_text = fields[i + 1]
      stored_peak = tonumber(stored_peak_text)
    elseif string.sub(field, -2) == '|c' then
      local value = tonumber(fields[i + 1])
      consumed = consumed + value
      if field == mine_field then mine = value end
    end
  end
  local level = refill * now_ms / 1000 - consumed
  local peak, peak_text = stored_peak, stored_peak_text
  if peak == nil or level > peak then
    peak = level
    peak_text = string.format('%.17g', peak)
  end
  local allowed = capacity - (peak - level) >= cost
  local update = {}
  if peak ~= stored_peak then
    update[1] = 'peak'
    update[2] = peak_text
  end
  if allowed then
    update[#update + 1] = mine_field
    update[#update + 1] = int(mine + cost)
  end
  if #update > 0 then redis.call('HSET', bucket_key, unpack(update)) end
  return allowed, peak_text, int(consumed), #update > 0
end
`;

function script(body: string): string {
  return `${PRELUDE}\n${body}`;
}

/** How many values RECORD_RATINGS returns per rating. */
export const RECORD_REPLY_LENGTH = 4;

/**
 * Records ratings one after the other, as separate calls would (a retry of an event in the same call sees the
 * first). An event counts as known while `at + ttl` is after `now` (Redis also expires it by then, on its own
 * clock). Feed members are the keys without the store's prefix (the feed key's own prefix).
 * KEYS: 1-3 prelude, 4 event expiries; then per rating: event, subject, bucket.
 * ARGV: 1 replica candidate, 2 event ttl ms, 3 bucket capacity, 4 refill per second, 5 cost (one policy per
 *       call); then per rating: now ms, id, subject, actor, stars.
 * Returns RECORD_REPLY_LENGTH (4) values per rating: 'existing', the event json, '', '' | 'limited', '', peak, consumed |
 * 'recorded', the event json, peak, consumed (the bucket before the take: see take_tokens).
 */
export const RECORD_RATINGS = script(`
local ttl, capacity, refill, cost = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local replica = nil
local replies = {}
local function reply(kind, event, peak, consumed)
  local n = #replies
  replies[n + 1], replies[n + 2], replies[n + 3], replies[n + 4] = kind, event, peak, consumed
end
sweep_expired_events(KEYS[4], tonumber(ARGV[6]), ttl)
for k = 5, #KEYS, 3 do
  local a = 6 + (k - 5) / 3 * 5
  local now_ms = ARGV[a]
  local now = tonumber(now_ms)
  local existing = redis.call('GET', KEYS[k])
  if existing and cjson.decode(existing).at + ttl > now then
    reply('existing', existing, '', '')
  else
    replica = replica or replica_id(ARGV[1])
    local bucket_key = KEYS[k + 2]
    local allowed, peak, consumed, bucket_changed = take_tokens(bucket_key, replica, now, capacity, refill, cost)
    if bucket_changed then log_change(member_of(bucket_key)) end
    if not allowed then
      reply('limited', '', peak, consumed)
    else
      local subject_key, stars = KEYS[k + 1], ARGV[a + 4]
      local count_field, time_field = replica .. '|p' .. stars, replica .. '|t'
      local count, time = 0, nil
      -- The snapshot as JSON members, from the strings Redis holds (field names match FIELD_PATTERN, values
      -- are integers), with the two fields this write sets added below.
      local snapshot = {}
      local fields = redis.call('HGETALL', subject_key)
      for i = 1, #fields, 2 do
        local field = fields[i]
        if field == count_field then
          count = tonumber(fields[i + 1])
        elseif field == time_field then
          time = fields[i + 1]
        else
          snapshot[#snapshot + 1] = '"' .. field .. '":' .. fields[i + 1]
        end
      end
      local new_count = int(count + 1)
      if time == nil or now > tonumber(time) then
        time = now_ms
        redis.call('HSET', subject_key, count_field, new_count, time_field, time)
      else
        redis.call('HSET', subject_key, count_field, new_count)
      end
      snapshot[#snapshot + 1] = '"' .. count_field .. '":' .. new_count
      snapshot[#snapshot + 1] = '"' .. time_field .. '":' .. time
      log_change(member_of(subject_key))
      local event = '{"id":' .. cjson.encode(ARGV[a + 1]) .. ',"subject":' .. cjson.encode(ARGV[a + 2]) ..
        ',"actor":' .. cjson.encode(ARGV[a + 3]) .. ',"stars":' .. stars .. ',"replica":"' .. replica ..
        '","at":' .. now_ms .. ',"snapshot":{' .. table.concat(snapshot, ',') .. '}}'
      store_event(KEYS[k], event, member_of(KEYS[k]), int(now + ttl))
      reply('recorded', event, peak, consumed)
    end
  end
end
flush_changes()
flush_events(KEYS[4])
return replies
`);

/**
 * KEYS: 1-3 prelude, 4 bucket. ARGV: 1 replica candidate, 2 now ms, 3 capacity, 4 refill, 5 cost, 6 bucket member.
 * Returns {allowed 0|1, peak, consumed} (the bucket before the take: see take_tokens).
 */
export const TAKE = script(`
local replica = replica_id(ARGV[1])
local allowed, peak, consumed, changed = take_tokens(KEYS[4], replica, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
if changed then log_change(ARGV[6]) end
flush_changes()
return {allowed and 1 or 0, peak, consumed}
`);

/**
 * Joins a peer's state into a subject or bucket hash (every field at its maximum).
 * KEYS: 1-3 prelude, 4 hash. ARGV: 1 feed member, then field, value pairs. Returns 1 when the hash changed.
 */
export const MERGE_STATE = script(`
local fields = redis.call('HGETALL', KEYS[4])
local current = {}
for i = 1, #fields, 2 do current[fields[i]] = tonumber(fields[i + 1]) end
local update = {}
for i = 2, #ARGV, 2 do
  local value = current[ARGV[i]]
  if not value or tonumber(ARGV[i + 1]) > value then
    update[#update + 1] = ARGV[i]
    update[#update + 1] = ARGV[i + 1]
  end
end
if #update == 0 then return 0 end
redis.call('HSET', KEYS[4], unpack(update))
log_change(ARGV[1])
flush_changes()
return 1
`);

/**
 * A peer's event: kept when new here or earlier than ours (at, then replica id); when ours loses, this
 * replica retracts its own count. KEYS: 1-3 prelude, 4 event expiries, 5 event, 6 subject.
 * ARGV: 1 replica candidate, 2 event json, 3 at, 4 replica, 5 expires at (an integer), 6 event member,
 * 7 subject member, 8 now. Returns 1 when the event was stored.
 */
export const MERGE_EVENT = script(`
local at, expires_at, now = tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[8])
if expires_at <= now then return 0 end
sweep_expired_events(KEYS[4], now, expires_at - at)
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
store_event(KEYS[5], ARGV[2], ARGV[6], ARGV[5])
flush_changes()
flush_events(KEYS[4])
return 1
`);

/** KEYS: 1-3 prelude. ARGV: 1 replica candidate. Returns the replica id (= feed epoch). */
export const REPLICA_ID = script(`return replica_id(ARGV[1])`);
