--[[
Releases concurrency leases (see check.lua, algorithm cc).

KEYS[i]  the lease set of lease i (<prefix>:{<scope>}:<operation>:cc). Keys of several scopes are
         legal outside Redis Cluster; on a cluster, one call per slot.
ARGV[i]  the id of lease i.

Returns the number of leases removed (a lease that had already expired is not there any more).
]]
local removed = 0
for i, key in ipairs(KEYS) do
	removed = removed + redis.call('ZREM', key, ARGV[i])
end
return removed
