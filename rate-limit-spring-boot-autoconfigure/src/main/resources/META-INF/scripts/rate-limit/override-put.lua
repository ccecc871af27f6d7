--[[
Sets one rate limit override and tells every instance that the overrides changed.

KEYS[1]  the hash of overrides: field = scope, value = "<expiresAtMillis>|<kind>|<value>"
KEYS[2]  the version instances poll to know when to reload the hash
         (both keys share one hash tag, so this script touches one Redis Cluster slot)
ARGV[1]  the scope
ARGV[2]  the value
ARGV[3]  now, in epoch milliseconds
ARGV[4]  the new version: a random token rather than a counter, so that a Redis that restarted
         empty can never count back up to the version an instance last read and hide a change

Expired fields are deleted here, so the hash holds no more than the active overrides and those
that expired since the last write, and the hash itself expires with its last override.
Returns 1.
]]

local now = tonumber(ARGV[3])
local function expiry(value)
	return tonumber(string.match(value, '^(%d+)|'))
end

local latest = expiry(ARGV[2])
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
	local expires = expiry(entries[i + 1])
	if expires == nil or expires <= now then
		redis.call('HDEL', KEYS[1], entries[i])
	elseif expires > latest then
		latest = expires
	end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], string.format('%d', latest))
redis.call('SET', KEYS[2], ARGV[4])
return 1
