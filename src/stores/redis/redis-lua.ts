// The Lua scripts of the Redis store: each runs atomically on the server, so that a check and the
// write it guards can never be split by another client. Times come from the server's clock (TIME),
// so that hosts whose clocks differ agree on when a lease lapses.

const now = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] lease; ARGV[1] holder JSON, ARGV[2] holder id, ARGV[3] ttl ms.
 * Returns {1, lease JSON} when granted (or renewed for the same holder), {0, lease JSON in force}.
 */
export const acquireLeaseScript = `${now}
local current = redis.call('GET', KEYS[1])
local acquiredAt = now
if current then
  local lease = cjson.decode(current)
  if lease.holder.id ~= ARGV[2] and tonumber(lease.expiresAt) > now then return {0, current} end
  if lease.holder.id == ARGV[2] then acquiredAt = lease.acquiredAt end
end
local ttl = tonumber(ARGV[3])
local lease = '{"holder":' .. ARGV[1] .. ',"acquiredAt":' .. string.format('%d', acquiredAt) .. ',"expiresAt":' .. string.format('%d', now + ttl) .. '}'
redis.call('SET', KEYS[1], lease, 'PX', ttl)
return {1, lease}`;

/** KEYS[1] lease; ARGV[1] holder id, ARGV[2] ttl ms. Returns 1 when renewed, 0 when not held. */
export const renewLeaseScript = `${now}
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local lease = cjson.decode(current)
if lease.holder.id ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[2])
local renewed = '{"holder":' .. cjson.encode(lease.holder) .. ',"acquiredAt":' .. string.format('%d', lease.acquiredAt) .. ',"expiresAt":' .. string.format('%d', now + ttl) .. '}'
redis.call('SET', KEYS[1], renewed, 'PX', ttl)
return 1`;

/** KEYS[1] lease; ARGV[1] holder id. Deletes the lease if that holder holds it. */
export const releaseLeaseScript = `local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if cjson.decode(current).holder.id ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * KEYS[1] manifest, KEYS[2] version; ARGV[1] the version read, ARGV[2] the new manifest.
 * Compare-and-set: writes (and bumps the version) only if no one saved since the version was read.
 */
export const compareAndSetManifestScript = `local version = redis.call('GET', KEYS[2]) or '0'
if version ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
redis.call('INCR', KEYS[2])
return 1`;

/**
 * KEYS[1] results list, KEYS[2] the hash of item ids already journaled; ARGV the results as JSON,
 * each preceded by its item id. Appends each result whose item has none yet; returns how many.
 */
export const appendNewResultsScript = `local appended = 0
for i = 1, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], 1) == 1 then
    redis.call('RPUSH', KEYS[1], ARGV[i + 1])
    appended = appended + 1
  end
end
return appended`;
