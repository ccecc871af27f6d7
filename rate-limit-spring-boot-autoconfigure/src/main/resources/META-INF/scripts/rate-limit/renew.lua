--[[
Renews concurrency leases (see check.lua, algorithm cc): one call for every lease an instance
holds (one per slot on Redis Cluster), sent in the background every third of the lease timeout.

KEYS[i]      the lease set of lease i (<prefix>:{<scope>}:<operation>:cc)
ARGV[1]      now in microseconds, or "0" to read Redis TIME
ARGV[1 + 2i - 1], ARGV[1 + 2i]   lease i's id and lease timeout in microseconds

Moves each lease's expiry to now + timeout and the set's TTL with it. A lease that is no longer
in its set (it expired before this renewal, and its slot may already be someone else's) is not
brought back: ZADD XX. Returns per lease 1 (renewed) or 0 (lost).
]]
local now = tonumber(ARGV[1])
if now == 0 then
	local time = redis.call('TIME')
	now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local renewed = {}
for i, key in ipairs(KEYS) do
	local id = ARGV[2 * i]
	local timeout = tonumber(ARGV[2 * i + 1])
	-- ZADD XX CH reports 1 only for a changed score; ZSCORE tells a lost lease from one
	-- renewed within the same microsecond.
	if redis.call('ZSCORE', key, id) then
		redis.call('ZADD', key, 'XX', string.format('%d', now + timeout), id)
		local ttl = redis.call('PTTL', key)
		-- as check.lua: twice the lease timeout plus a minute
		local wanted = math.ceil((2 * timeout + 60000000) / 1000)
		if ttl < wanted then
			redis.call('PEXPIRE', key, string.format('%d', wanted))
		end
		renewed[i] = 1
	else
		renewed[i] = 0
	end
end
return renewed
