--[[
Checks every limit of one request and consumes the request's cost from all of them, or from none.
The arithmetic is specified in docs/algorithms.md; InMemoryRateLimiter implements the same in
Java, so the two must change together.

KEYS[i]  the storage key of limit i. All keys share one hash tag ({scope}), so this script touches
         one Redis Cluster slot.
ARGV[1]  now in microseconds as a decimal integer, or "0" to read Redis TIME. Reading the clock
         here, not in the application, gives every instance of the application one clock.
ARGV[2]  cost, >= 0. 0 is a read-only peek.
then per limit i, four arguments: algorithm code (tb | sw | fw | sl), limit, window (us), burst.

Returns a flat integer array:
  { allAllowed (0/1), then per limit: allowed (0/1), remaining, resetMicros, retryMicros }

All numbers are Lua numbers (IEEE doubles), which hold integers exactly up to 2^53: about 285
years of microseconds since the epoch, so timestamps are exact. Numbers that go back to Redis as
arguments are formatted with string.format('%d'), because tostring() switches to exponent notation
(1.9e+15) and loses digits. The script writes only after every limit has been evaluated, so a
denial by one limit never consumes from another (all-or-nothing).
]]

local now = tonumber(ARGV[1])
if now == 0 then
	-- Redis 5+ replicates the script's effects rather than the script, so reading the clock
	-- before writing is allowed and replicas see the same values.
	local time = redis.call('TIME')
	now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local cost = tonumber(ARGV[2])

-- A cost above the limit is never admissible, and the exact wait would be infinite (which Redis
-- cannot return): report the time until the limit is fully replenished, or one window.
local function never_admissible_retry(reset, window)
	if reset == 0 then
		return window
	end
	return reset
end

local function fmt(number)
	return string.format('%d', number)
end

-- PEXPIRE takes milliseconds; round up so a key never expires before its state is worthless,
-- and at least 1 because 0 would delete the key at once.
local function ttl_millis(micros)
	return fmt(math.max(1, math.ceil(micros / 1000)))
end

--[[
Each evaluator reads its key without writing and returns:
  allowed (boolean), remaining, reset, retry, and a function that writes the new state, which is
  called only when every limit allowed and cost > 0.
]]
local evaluate = {}

-- Token bucket as GCRA: one integer, the theoretical arrival time (TAT) of the next request if
-- requests arrived at exactly the allowed rate. A request is early by at most tau (the burst).
evaluate.tb = function(key, limit, window, burst)
	local interval = math.max(1, math.floor(window / limit))
	local tau = interval * burst
	local tat = math.max(tonumber(redis.call('GET', key)) or now, now)
	local new_tat = tat + cost * interval
	local allow_at = new_tat - tau
	if now >= allow_at then
		return true, math.floor((now - allow_at) / interval), new_tat - now, 0, function()
			-- The state is worthless once the TAT has passed: an absent key means a full bucket.
			redis.call('SET', key, fmt(new_tat), 'PX', ttl_millis(new_tat - now))
		end
	end
	return false, math.max(0, math.floor((now - (tat - tau)) / interval)), tat - now, allow_at - now
end

-- Fixed window: a count per window aligned to the Unix epoch. The window start is stored with
-- the count, so a stale count from an earlier window is ignored even before its key expires.
evaluate.fw = function(key, limit, window)
	local window_start = math.floor(now / window) * window
	local window_end = window_start + window
	local stored = redis.call('HMGET', key, 'w', 'c')
	local count = 0
	if tonumber(stored[1]) == window_start then
		count = tonumber(stored[2]) or 0
	end
	if count + cost <= limit then
		local reset = 0
		if count + cost > 0 then
			reset = window_end - now
		end
		return true, limit - count - cost, reset, 0, function()
			redis.call('HSET', key, 'w', fmt(window_start), 'c', fmt(count + cost))
			redis.call('PEXPIRE', key, ttl_millis(window_end - now))
		end
	end
	return false, limit - count, window_end - now, window_end - now
end

-- Sliding window: the current window's count plus the previous window's count weighted by how
-- much of the previous window still overlaps the rolling window. The previous count is only
-- needed until the current window ends, hence a TTL of two windows from the current start.
evaluate.sw = function(key, limit, window)
	local window_start = math.floor(now / window) * window
	local elapsed = now - window_start
	local stored = redis.call('HMGET', key, 'w', 'c', 'p')
	local stored_start = tonumber(stored[1])
	local current, previous = 0, 0
	if stored_start == window_start then
		current, previous = tonumber(stored[2]) or 0, tonumber(stored[3]) or 0
	elseif stored_start == window_start - window then
		previous = tonumber(stored[2]) or 0
	end
	-- Floating point, evaluated in exactly the order of the specification so that the Java
	-- implementation gets bit-identical results.
	local estimate = previous * (window - elapsed) / window + current
	local allowed = estimate + cost <= limit
	local counted = current
	if allowed then
		counted = current + cost
	end
	local reset = 0
	if counted > 0 then
		reset = 2 * window - elapsed
	elseif previous > 0 then
		reset = window - elapsed
	end
	if allowed then
		return true, math.max(0, math.floor(limit - estimate - cost)), reset, 0, function()
			redis.call('HSET', key, 'w', fmt(window_start), 'c', fmt(current + cost), 'p', fmt(previous))
			redis.call('PEXPIRE', key, ttl_millis(2 * window - elapsed))
		end
	end
	local retry
	if current + cost <= limit then
		-- Fits in this window once enough of the previous window's weight has slid out
		-- (previous > 0 here, or the estimate would have allowed the request).
		retry = math.ceil(window - (limit - current - cost) * window / previous) - elapsed
	elseif current > 0 then
		-- Only fits in the next window, once enough of this window's weight has slid out.
		retry = (window - elapsed) + math.max(0, math.ceil(window - (limit - cost) * window / current))
	else
		-- cost > limit with nothing counted: the formula above would divide by zero.
		retry = never_admissible_retry(reset, window)
	end
	return false, math.max(0, math.floor(limit - estimate)), reset, retry
end

-- Sliding log: one sorted-set member per admitted unit, scored by its admission time. Exact,
-- and O(limit) in memory. Expired members are only counted out here (reads); they are removed
-- when the request is admitted, and the key's TTL removes a log that stops being written.
evaluate.sl = function(key, limit, window)
	local live = '(' .. fmt(now - window)
	local count = redis.call('ZCOUNT', key, live, '+inf')
	local newest = redis.call('ZREVRANGEBYSCORE', key, '+inf', live, 'WITHSCORES', 'LIMIT', '0', '1')
	if count + cost <= limit then
		local reset = 0
		if cost > 0 then
			reset = window
		elseif newest[2] then
			reset = tonumber(newest[2]) + window - now
		end
		return true, limit - count - cost, reset, 0, function()
			redis.call('ZREMRANGEBYSCORE', key, '-inf', fmt(now - window))
			local members = {}
			for i = 0, cost - 1 do
				members[#members + 1] = fmt(now)
				members[#members + 1] = string.format('%d:%d', now, count + i)
			end
			-- ZADD in chunks: Lua's unpack() is limited by the C stack (LUAI_MAXCSTACK, 8000).
			local chunk = 2000
			for first = 1, #members, chunk do
				redis.call('ZADD', key, unpack(members, first, math.min(first + chunk - 1, #members)))
			end
			redis.call('PEXPIRE', key, ttl_millis(window))
		end
	end
	local reset = 0
	if newest[2] then
		reset = tonumber(newest[2]) + window - now
	end
	-- The request fits once the oldest (count + cost - limit) live units have expired.
	local retry
	local oldest = redis.call('ZRANGEBYSCORE', key, live, '+inf', 'WITHSCORES', 'LIMIT',
		fmt(count + cost - limit - 1), '1')
	if cost <= limit and oldest[2] then
		retry = tonumber(oldest[2]) + window - now
	else
		-- cost > limit: there is no such member.
		retry = never_admissible_retry(reset, window)
	end
	return false, limit - count, reset, retry
end

local results = { 1 }
local writes = {}
for i, key in ipairs(KEYS) do
	local base = 2 + (i - 1) * 4
	local algorithm = ARGV[base + 1]
	local evaluator = evaluate[algorithm]
	if not evaluator then
		return redis.error_reply('unknown rate limit algorithm: ' .. tostring(algorithm))
	end
	local allowed, remaining, reset, retry, write = evaluator(key, tonumber(ARGV[base + 2]),
		tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4]))
	if allowed then
		results[#results + 1] = 1
		writes[#writes + 1] = write
	else
		results[1] = 0
		results[#results + 1] = 0
	end
	results[#results + 1] = remaining
	results[#results + 1] = reset
	results[#results + 1] = retry
end

if results[1] == 1 and cost > 0 then
	for _, write in ipairs(writes) do
		write()
	end
end
return results
