// The writes and reads of room presence as Redis scripts, so each is atomic and timed by Redis's
// own clock (every node agrees on what has expired). A room is a sorted set of sessions by expiry,
// a hash of session → user, a sorted set of typists by expiry, and a version that each visible
// change bumps and publishes with the room's whole state, so every node's watchers hear each
// change once and in order.
import { createHash } from 'node:crypto';
import type { RedisClient } from './client.ts';

// KEYS: 1 sessions (zset), 2 users (hash), 3 typing (zset), 4 version, 5 index of rooms (set).
// ARGV[1] the room's change channel, ARGV[2] the room; the rest per script.
const COMMON = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function sweep()
  local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
  for i = 1, #gone do
    redis.call('ZREM', KEYS[1], gone[i])
    redis.call('HDEL', KEYS[2], gone[i])
  end
  return #gone + redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
end

local function state()
  local sessions = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
  local present, seen, nextAt = {}, {}, -1
  for i = 1, #sessions, 2 do
    local user = redis.call('HGET', KEYS[2], sessions[i])
    if user and not seen[user] then
      seen[user] = true
      present[#present + 1] = user
    end
    local at = tonumber(sessions[i + 1])
    if nextAt < 0 or at < nextAt then nextAt = at end
  end
  local typists = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. now, '+inf', 'WITHSCORES')
  local typing = {}
  for i = 1, #typists, 2 do
    typing[#typing + 1] = typists[i]
    local at = tonumber(typists[i + 1])
    if nextAt < 0 or at < nextAt then nextAt = at end
  end
  table.sort(present)
  table.sort(typing)
  local nextIn = -1
  if nextAt >= 0 then nextIn = nextAt - now end
  local v = tonumber(redis.call('GET', KEYS[4]) or '0')
  return cjson.encode({ v = v, present = present, typing = typing, nextIn = nextIn })
end

local function changed()
  redis.call('INCR', KEYS[4])
  local s = state()
  redis.call('PUBLISH', ARGV[1], s)
  return s
end

local function keep(ttl)
  for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl + 3600000) end
end
`;

/** ARGV[3] session, ARGV[4] user, ARGV[5] ttl ms. */
const HEARTBEAT = `${COMMON}
local swept = sweep()
local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ARGV[3])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('SADD', KEYS[5], ARGV[2])
local out
if added > 0 or swept > 0 then out = changed() else out = state() end
keep(tonumber(ARGV[5]))
return out
`;

/** ARGV[3] session. A user whose last session went stops typing too. */
const LEAVE = `${COMMON}
local swept = sweep()
local user = redis.call('HGET', KEYS[2], ARGV[3])
local removed = redis.call('ZREM', KEYS[1], ARGV[3])
redis.call('HDEL', KEYS[2], ARGV[3])
if user then
  local still = false
  local sessions = redis.call('ZRANGE', KEYS[1], 0, -1)
  for i = 1, #sessions do
    if redis.call('HGET', KEYS[2], sessions[i]) == user then still = true end
  end
  if not still then removed = removed + redis.call('ZREM', KEYS[3], user) end
end
if removed > 0 or swept > 0 then return changed() end
return state()
`;

/** ARGV[3] user, ARGV[4] ttl ms, or '' when they stopped. */
const TYPING = `${COMMON}
local swept = sweep()
local moved = 0
if ARGV[4] == '' then
  moved = redis.call('ZREM', KEYS[3], ARGV[3])
else
  moved = redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[3])
  redis.call('SADD', KEYS[5], ARGV[2])
end
local out
if moved > 0 or swept > 0 then out = changed() else out = state() end
if ARGV[4] ~= '' then keep(tonumber(ARGV[4])) end
return out
`;

/** Drops what expired, telling watchers if that changed anything. */
const SWEEP = `${COMMON}
if sweep() > 0 then return changed() end
return state()
`;

const LIST = `${COMMON}
return state()
`;

// KEYS[1] the index of rooms; ARGV[1] the key prefix of rooms. Rooms found empty leave the index.
const STATS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rooms, sessions = 0, 0
for _, room in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local base = ARGV[1] .. room
  local n = redis.call('ZCOUNT', base .. ':sessions', '(' .. now, '+inf')
  if n > 0 then
    rooms = rooms + 1
    sessions = sessions + n
  elseif redis.call('ZCOUNT', base .. ':typing', '(' .. now, '+inf') == 0 then
    redis.call('SREM', KEYS[1], room)
  end
end
return { rooms, sessions }
`;

export const presenceScripts = {
  heartbeat: HEARTBEAT,
  leave: LEAVE,
  typing: TYPING,
  sweep: SWEEP,
  list: LIST,
  stats: STATS,
} as const;

export type PresenceScript = keyof typeof presenceScripts;

const shas = Object.fromEntries(
  Object.entries(presenceScripts).map(([name, text]) => [
    name,
    createHash('sha1').update(text).digest('hex'),
  ]),
) as Record<PresenceScript, string>;

/** Runs a script by its hash, sending it whole when Redis does not know it (after a restart). */
export async function runPresenceScript(
  client: RedisClient,
  name: PresenceScript,
  keys: string[],
  args: string[],
): Promise<unknown> {
  try {
    return await client.evalSha(shas[name], { keys, arguments: args });
  } catch (err) {
    if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
    return client.eval(presenceScripts[name], { keys, arguments: args });
  }
}
