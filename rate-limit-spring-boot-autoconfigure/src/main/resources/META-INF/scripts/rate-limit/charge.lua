--[[
Charges the real cost of one request to its budgets, after its response (check.lua only reads
them). All keys share one hash tag where the request's scopes share a slot; on Redis Cluster the
application sends one call per scope.

KEYS[i]  the storage key of budget i: a hash {w = window start, s = spent micro-units}
then per key, three arguments: the start of the budget's current window (microseconds, as a
         decimal integer), the amount in micro-units (a positive decimal integer), and the
         key's TTL in milliseconds (until the window ends).

A hash holding another window (an earlier one) starts afresh. The amounts never pass through a
Lua number: HINCRBY adds the decimal strings as 64-bit integers, and the window starts are
compared as strings, so the arithmetic is exact. Returns the number of budgets charged.
]]

for i, key in ipairs(KEYS) do
	local base = (i - 1) * 3
	local start = ARGV[base + 1]
	local amount = ARGV[base + 2]
	if redis.call('HGET', key, 'w') == start then
		redis.call('HINCRBY', key, 's', amount)
	else
		redis.call('HSET', key, 'w', start, 's', amount)
	end
	redis.call('PEXPIRE', key, ARGV[base + 3])
end
return #KEYS
