--[[
Gives back exactly what one admitted call of check.lua took in one scope: the compensating refund
of a check across several Redis Cluster slots, when another scope denied the request after this
one had admitted it. The arithmetic is that of check.lua (docs/algorithms.md).

KEYS, and ARGV from ARGV[2] on: exactly those of the check call being refunded.
ARGV[1]  the "now" the check used (it returns it when asked with "t"), in microseconds.

Per algorithm:
  tb   the TAT moves back by cost * interval. Later admissions moved it further; what remains is
       the state as if the refunded request had never come (max(tat, now) makes a bucket that
       was full at admission equivalent to a TAT of "now" then). The TTL is kept: it was set
       for the later TAT, so it is at least long enough.
  fw   the count of the admission's window goes down by the cost (a later window never had it).
  sw2  the count of the admission's slot goes down by the cost, while that slot is still held.
  sl   the members the admission added are removed: they are named "<now>:<n>" for n from the
       log's size before the admission on, so for sl the fourth argument is that size (the check
       call's reply tells it: limit - remaining - cost), not the burst.
  cc   the lease is removed.
  ba   (a burst allowance) as fw.
A limit the admission did not write (one that denied while the burst allowance admitted the
request) comes with the algorithm "-" and is left alone.
Returns 1.
]]

local admitted = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local SW_SLOTS = 10

local function fmt(number)
	return string.format('%d', number)
end

local function give_back(key, field)
	local count = tonumber(redis.call('HGET', key, field))
	if count and count > 0 then
		redis.call('HINCRBY', key, field, fmt(-math.min(count, cost)))
	end
end

for i, key in ipairs(KEYS) do
	local base = 2 + (i - 1) * 4
	local algorithm = ARGV[base + 1]
	local limit = tonumber(ARGV[base + 2])
	local window = tonumber(ARGV[base + 3])
	if algorithm == 'tb' then
		local tat = tonumber(redis.call('GET', key))
		if tat then
			local interval = math.max(1, math.floor(window / limit))
			local new_tat = tat - cost * interval
			if new_tat <= admitted then
				redis.call('DEL', key)
			else
				redis.call('SET', key, fmt(new_tat), 'KEEPTTL')
			end
		end
	elseif algorithm == 'fw' or algorithm == 'ba' then
		local window_start = math.floor(admitted / window) * window
		if tonumber(redis.call('HGET', key, 'w')) == window_start then
			give_back(key, 'c')
		end
	elseif algorithm == 'sw2' then
		local k = math.floor(admitted / (window / SW_SLOTS))
		local newest = tonumber(redis.call('HGET', key, 'n'))
		if newest and k <= newest and k >= newest - SW_SLOTS then
			give_back(key, fmt(k % (SW_SLOTS + 1)))
		end
	elseif algorithm == 'sl' then
		local size = tonumber(ARGV[base + 4])
		local members = {}
		for n = size, size + cost - 1 do
			members[#members + 1] = string.format('%d:%d', admitted, n)
		end
		-- in chunks, as check.lua adds them: unpack() is limited by the C stack
		local chunk = 2000
		for first = 1, #members, chunk do
			redis.call('ZREM', key, unpack(members, first, math.min(first + chunk - 1, #members)))
		end
	elseif algorithm == 'cc' then
		redis.call('ZREM', key, ARGV[base + 4])
	end
end
return 1
