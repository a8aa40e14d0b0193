// The Lua scripts of the distributed runner; each runs atomically on the Redis server, on its clock.

const now = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] the part's results hash, KEYS[2] its counts hash; ARGV[1] item id, ARGV[2] result JSON,
 * ARGV[3] status. Records the result unless the item has one; returns 1 when recorded.
 */
export const recordResultScript = `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
  return 1
end
return 0`;

/**
 * The cluster's call gate: one schedule of call slots shared by every worker (a GCRA: each call
 * takes the next slot, slots are `interval` ms apart), and a cooldown that holds every slot back.
 * KEYS[1] the next free slot, KEYS[2] the cooldown's end; ARGV[1] interval ms.
 * Returns how many ms the caller waits before its call.
 */
export const takeSlotScript = `${now}
local cooldown = tonumber(redis.call('GET', KEYS[2]) or '0')
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, slot, cooldown)
redis.call('SET', KEYS[1], string.format('%d', start + tonumber(ARGV[1])), 'PX', 600000)
return start - now`;

/** KEYS[1] the cooldown's end; ARGV[1] ms from now. Extends the cooldown (never shortens it). */
export const coolDownScript = `${now}
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > current then redis.call('SET', KEYS[1], string.format('%d', until_), 'PX', tonumber(ARGV[1]) + 1000) end
return until_`;
