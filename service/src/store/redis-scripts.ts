/**
 * The Redis store's read-modify-write operations, each one Lua script run atomically by Redis. They mirror the
 * pure functions in `src/domain/` (the state layout in crdt.ts, the bucket level in token-bucket.ts, the event
 * order in rating-event.ts); the store contract suite runs the same cases against both stores.
 *
 * Every key a script writes is passed in KEYS. Numbers that must survive exactly (the bucket peak) are written
 * with %.17g; numbers returned to the client are returned as strings, since Redis truncates Lua numbers.
 *
 * Written for Redis's cost model, which bench:service and a perf profile of redis-server showed: per script
 * call, the time goes to the redis.call overhead (command lookup, argument objects, a clock read per call),
 * to keyspace lookups, and to glibc's float formatting and parsing (a Lua number passed to redis.call or to
 * cjson.encode is printed with "%.14g", about half a microsecond each). So the scripts make one call per
 * hash (HGETALL, then one HSET), log all of a call's changes with one INCRBY, one ZADD and one XADD (events in
 * a stream, not the sorted set: every event was a new member there, and with 150,000 of them its inserts and
 * updates took about 2.5 of Redis's 17 µs per rating), build the event JSON from the strings Redis returned,
 * print integers with "%d", and record several ratings per call.
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

-- What this call changed, in order; flush_changes gives each its own feed position. A changed subject or bucket
-- is a member of the feed sorted set (KEYS[3]) at its latest position. An event is new every time, so the
-- events of a call go to the events stream instead, where appending costs O(1) (as sorted-set members, every
-- event made the set larger and each insert and update slower): one entry per call, with id
-- '<position of its last event>-0' and one field per event, its member, valued '<position> <expires at>'.
-- The events expiry list names each entry, in order, as '<latest expiry of its events> <entry position>'.
local changes, expiries = {}, {}
local function log_change(member, expires_at)
  local n = #changes + 1
  changes[n], expiries[n] = member, expires_at or false
end
local function flush_changes(events_key, expiries_key)
  local n = #changes
  if n == 0 then return end
  local last = redis.call('INCRBY', KEYS[2], n)
  local states, events, last_event, latest_expiry = {}, {}, nil, 0
  for i = 1, n do
    local position = int(last - n + i)
    local expires_at = expiries[i]
    if expires_at then
      events[#events + 1] = changes[i]
      events[#events + 1] = position .. ' ' .. expires_at
      last_event = position
      latest_expiry = math.max(latest_expiry, tonumber(expires_at))
    else
      states[#states + 1] = position
      states[#states + 1] = changes[i]
    end
  end
  if #states > 0 then redis.call('ZADD', KEYS[3], unpack(states)) end
  if last_event then
    redis.call('XADD', events_key, last_event .. '-0', unpack(events))
    redis.call('RPUSH', expiries_key, int(latest_expiry) .. ' ' .. last_event)
  end
end

local function store_event(event_key, event_json, member, expires_at)
  redis.call('SET', event_key, event_json, 'PXAT', expires_at)
  log_change(member, expires_at)
end

-- Trims from the events stream the entries whose events all expired by now_ms (Redis deletes the events
-- themselves at their PXAT, on its own clock). Entries are in the order they were added, which is their expiry
-- order but for events merged from a peer, which expire no later than those stored at the same time here: such
-- an entry waits behind the others, at most one window longer.
local function sweep_expired_events(events_key, expiries_key, now_ms)
  local through = nil
  for _ = 1, 16 do
    local head = redis.call('LINDEX', expiries_key, 0)
    if not head then break end
    local space = string.find(head, ' ', 1, true)
    if tonumber(string.sub(head, 1, space - 1)) > now_ms then break end
    redis.call('LPOP', expiries_key)
    through = string.sub(head, space + 1)
  end
  -- Entry ids are '<position>-0', so '<position>-1' is the least id after the last expired entry.
  if through then redis.call('XTRIM', events_key, 'MINID', through .. '-1') end
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
 * KEYS: 1-3 prelude, 4 events stream, 5 events expiry list; then per rating: event, subject, bucket.
 * ARGV: 1 replica candidate, 2 event ttl ms, 3 bucket capacity, 4 refill per second, 5 cost (one policy per
 *       call); then per rating: now ms, id, subject, actor, stars.
 * Returns RECORD_REPLY_LENGTH (4) values per rating: 'existing', the event json, '', '' |
 * 'limited', '', peak, consumed | 'recorded', the event json, peak, consumed (the bucket before the take: see
 * take_tokens).
 */
export const RECORD_RATINGS = script(`
local ttl, capacity, refill, cost = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local replica = nil
local replies = {}
local function reply(kind, event, peak, consumed)
  local n = #replies
  replies[n + 1], replies[n + 2], replies[n + 3], replies[n + 4] = kind, event, peak, consumed
end
sweep_expired_events(KEYS[4], KEYS[5], tonumber(ARGV[6]))
for k = 6, #KEYS, 3 do
  local a = 6 + (k - 6) / 3 * 5
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
flush_changes(KEYS[4], KEYS[5])
return replies
`);

/**
 * KEYS: 1-3 prelude, 4 bucket. ARGV: 1 replica candidate, 2 now ms, 3 capacity, 4 refill, 5 cost.
 * Returns {allowed 0|1, peak, consumed} (the bucket before the take: see take_tokens).
 */
export const TAKE = script(`
local replica = replica_id(ARGV[1])
local allowed, peak, consumed, changed = take_tokens(KEYS[4], replica, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
if changed then log_change(member_of(KEYS[4])) end
flush_changes()
return {allowed and 1 or 0, peak, consumed}
`);

/**
 * Joins a peer's state into a subject or bucket hash (every field at its maximum).
 * KEYS: 1-3 prelude, 4 hash. ARGV: field, value pairs. Returns 1 when the hash changed.
 */
export const MERGE_STATE = script(`
local fields = redis.call('HGETALL', KEYS[4])
local current = {}
for i = 1, #fields, 2 do current[fields[i]] = tonumber(fields[i + 1]) end
local update = {}
for i = 1, #ARGV, 2 do
  local value = current[ARGV[i]]
  if not value or tonumber(ARGV[i + 1]) > value then
    update[#update + 1] = ARGV[i]
    update[#update + 1] = ARGV[i + 1]
  end
end
if #update == 0 then return 0 end
redis.call('HSET', KEYS[4], unpack(update))
log_change(member_of(KEYS[4]))
flush_changes()
return 1
`);

/**
 * A peer's event: kept when new here or earlier than ours (at, then replica id); when ours loses, this
 * replica retracts its own count. KEYS: 1-3 prelude, 4 events stream, 5 events expiry list, 6 event, 7 subject.
 * ARGV: 1 replica candidate, 2 event json, 3 at, 4 replica, 5 expires at (an integer), 6 now.
 * Returns 1 when the event was stored.
 */
export const MERGE_EVENT = script(`
local at, expires_at, now = tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[6])
if expires_at <= now then return 0 end
sweep_expired_events(KEYS[4], KEYS[5], now)
local mine_json = redis.call('GET', KEYS[6])
local mine = mine_json and cjson.decode(mine_json)
if mine and mine.at + (expires_at - at) > now then
  local earlier = at < mine.at or (at == mine.at and ARGV[4] < mine.replica)
  if not earlier then return 0 end
  if mine.replica == replica_id(ARGV[1]) then
    redis.call('HINCRBY', KEYS[7], mine.replica .. '|r' .. mine.stars, 1)
    log_change(member_of(KEYS[7]))
  end
end
store_event(KEYS[6], ARGV[2], member_of(KEYS[6]), ARGV[5])
flush_changes(KEYS[4], KEYS[5])
return 1
`);

/** KEYS: 1-3 prelude. ARGV: 1 replica candidate. Returns the replica id (= feed epoch). */
export const REPLICA_ID = script(`return replica_id(ARGV[1])`);
