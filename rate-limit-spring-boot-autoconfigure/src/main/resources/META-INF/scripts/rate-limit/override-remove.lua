--[[
Lifts one rate limit override and, when there was one, tells every instance that the overrides
changed.

KEYS[1]  the hash of overrides (see override-put.lua)
KEYS[2]  the version
ARGV[1]  the scope
ARGV[2]  the new version (see override-put.lua)

Returns 1 when an override was removed, else 0.
]]

local removed = redis.call('HDEL', KEYS[1], ARGV[1])
if removed == 1 then
	redis.call('SET', KEYS[2], ARGV[2])
end
return removed
