// The Lua scripts of the distributed runner; each runs atomically on the Redis server, on its clock.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

const now = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const shas = new Map<string, string>();

/**
 * Runs a script by its SHA1 (`EVALSHA`: the script's text is not sent with every call), loading it
 * with `EVAL` when the server does not know it yet (first call, or after a restart / `SCRIPT FLUSH`).
 */
export async function runScript(redis: Redis, script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}

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
 * Several results of one part at once: KEYS[1] the results hash, KEYS[2] the counts hash, KEYS[3]
 * the cluster's cooldown, KEYS[4] the learned limits (optional); ARGV holds (item id, result JSON,
 * status) triples. Each result is recorded unless its item has one. Returns one flag per result (1
 * when recorded), then the cooldown's end (0 when none) and whether limits were learned (1/0), so
 * that a worker learns of both with every write, without a read of its own.
 */
export const recordResultsScript = `local flags = {}
for i = 1, #ARGV, 3 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('HINCRBY', KEYS[2], ARGV[i + 2], 1)
    flags[#flags + 1] = 1
  else
    flags[#flags + 1] = 0
  end
end
flags[#flags + 1] = tonumber(redis.call('GET', KEYS[3]) or '0')
if KEYS[4] then flags[#flags + 1] = redis.call('EXISTS', KEYS[4]) else flags[#flags + 1] = 0 end
return flags`;

/**
 * The cluster's call gate: one schedule of call slots shared by every worker, for requests and for
 * tokens (GCRA: each call takes the next free time of each schedule; request slots are `interval`
 * ms apart, a call of n tokens holds the token schedule n × `msPerToken`), and a cooldown that holds
 * every slot back. The intervals are the slower of the worker's (the user's limits) and those learned
 * from response headers (KEYS[4]).
 * KEYS[1] the next free request slot, KEYS[2] the cooldown's end, KEYS[3] the next free token slot,
 * KEYS[4] the learned limits; ARGV[1] request interval ms (0: none), ARGV[2] ms per token (0: none),
 * ARGV[3] the call's estimated tokens.
 * Returns how many ms the caller waits before its call.
 */
export const takeSlotScript = `${now}
local cooldown = tonumber(redis.call('GET', KEYS[2]) or '0')
local learned = redis.call('HMGET', KEYS[4], 'interval', 'msPerToken')
local interval = math.max(tonumber(ARGV[1]), tonumber(learned[1] or '0'))
local msPerToken = math.max(tonumber(ARGV[2]), tonumber(learned[2] or '0'))
local start = math.max(now, cooldown)
if interval > 0 then start = math.max(start, tonumber(redis.call('GET', KEYS[1]) or '0')) end
if msPerToken > 0 then start = math.max(start, tonumber(redis.call('GET', KEYS[3]) or '0')) end
if interval > 0 then redis.call('SET', KEYS[1], string.format('%d', start + interval), 'PX', 600000) end
if msPerToken > 0 then
  local hold = msPerToken * tonumber(ARGV[3])
  redis.call('SET', KEYS[3], string.format('%d', start + hold), 'PX', math.floor(hold) + 600000)
end
return start - now`;

/**
 * What a response's rate-limit headers say, shared with every worker. KEYS[1] the learned limits
 * (hash, kept 10 minutes after the last response that reported them), KEYS[2] the cooldown's end;
 * ARGV[1..3] the request limit, remaining and reset ms, ARGV[4..6] the same for tokens ('' when not
 * reported), ARGV[7] the call's estimated tokens. A limit sets the pace of the shared schedule
 * (60,000 / limit ms per request or token); a window with nothing left (requests) or too little
 * for a call like this one (tokens) holds every worker until it has refilled that much.
 * Returns the cooldown's end (0 when none).
 */
export const learnLimitsScript = `${now}
local hold = 0
local requestLimit = tonumber(ARGV[1])
local tokenLimit = tonumber(ARGV[4])
if requestLimit and requestLimit > 0 then
  redis.call('HSET', KEYS[1], 'interval', tostring(60000 / requestLimit))
  local remaining = tonumber(ARGV[2])
  local reset = tonumber(ARGV[3])
  if remaining and reset and remaining < 1 then hold = math.max(hold, reset / math.max(1, requestLimit - remaining)) end
end
if tokenLimit and tokenLimit > 0 then
  redis.call('HSET', KEYS[1], 'msPerToken', tostring(60000 / tokenLimit))
  local remaining = tonumber(ARGV[5])
  local reset = tonumber(ARGV[6])
  local needed = tonumber(ARGV[7])
  if remaining and reset and remaining < needed then hold = math.max(hold, math.min(reset, reset * (needed - remaining) / math.max(1, tokenLimit - remaining))) end
end
if (requestLimit and requestLimit > 0) or (tokenLimit and tokenLimit > 0) then redis.call('PEXPIRE', KEYS[1], 600000) end
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if hold > 0 and now + hold > current then
  current = now + math.ceil(hold)
  redis.call('SET', KEYS[2], string.format('%d', current), 'PX', math.ceil(hold) + 1000)
end
return current`;

/** KEYS[1] the cooldown's end; ARGV[1] ms from now. Extends the cooldown (never shortens it). */
export const coolDownScript = `${now}
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > current then redis.call('SET', KEYS[1], string.format('%d', until_), 'PX', tonumber(ARGV[1]) + 1000) end
return until_`;

/**
 * A job's budget, reserved by every worker of the cluster. KEYS[1] the budget hash (limit, spent,
 * reserved, exhausted); ARGV[1] the call's worst-case cost, ARGV[2] what this item already holds.
 * Returns 1 (reserved), 0 (refused: the budget is exhausted for good) or -1 (does not fit while
 * other items hold reservations that may settle below their worst case: ask again shortly).
 */
export const reserveBudgetScript = `local limit = tonumber(redis.call('HGET', KEYS[1], 'limit') or '')
if not limit then return 1 end
if redis.call('HEXISTS', KEYS[1], 'exhausted') == 1 then return 0 end
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
local cost = tonumber(ARGV[1])
if spent + reserved + cost <= limit + 1e-12 then
  redis.call('HINCRBYFLOAT', KEYS[1], 'reserved', ARGV[1])
  return 1
end
if reserved - tonumber(ARGV[2]) > 1e-12 then return -1 end
redis.call('HSET', KEYS[1], 'exhausted', '1')
return 0`;

/** KEYS[1] the budget hash; ARGV[1] what the item reserved, ARGV[2] what it really cost. */
export const settleBudgetScript = `local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
redis.call('HSET', KEYS[1], 'reserved', tostring(math.max(0, reserved - tonumber(ARGV[1]))))
redis.call('HINCRBYFLOAT', KEYS[1], 'spent', ARGV[2])
return 1`;

/** KEYS[1] the budget hash; ARGV[1] the limit in USD. Sets the limit once (a resubmission keeps it). */
export const setBudgetScript = `redis.call('HSETNX', KEYS[1], 'limit', ARGV[1])
return 1`;
