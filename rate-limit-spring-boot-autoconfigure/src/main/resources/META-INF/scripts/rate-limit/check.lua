--[[
Checks every limit of one request and consumes the request's cost from all of them, or from none.
The arithmetic is specified in docs/algorithms.md; InMemoryRateLimiter implements the same in
Java, so the two must change together.

KEYS[i]  the storage key of limit i. All keys share one hash tag ({scope}), so this script touches
         one Redis Cluster slot.
ARGV[1]  now in microseconds as a decimal integer, or "0" to read Redis TIME. Reading the clock
         here, not in the application, gives every instance of the application one clock.
ARGV[2]  cost, >= 0. 0 is a read-only peek.
then per limit i, four arguments: algorithm code (tb | sw2 | fw | sl | cc), limit, window (us),
         burst. For cc (a concurrency limit, see below) the window is the lease timeout and the
         fourth argument is the lease's id, a string.
         For bg (a budget, see below) the limit is in micro-units, the window argument is the
         start of the budget's current window (microseconds, by the application's clock)
         and the fourth is the microseconds until that window ends.
         For ba (a burst allowance, see below) the fourth argument is the number of limits
         just before it that it stands behind (those of its scope).
then, optionally, one more argument "t": append the "now" the script used to the reply (the
         compensating refund of a multi-slot check on Redis Cluster needs it).

Returns a flat integer array:
  { allAllowed (0/1), then per limit: allowed (0/1), remaining, resetMicros, retryMicros,
    then per cc limit, in order: the number of expired leases this call removed,
    then, when asked for with "t": now }
A request without cc limits and without "t" gets exactly the reply (and the script work) it got
before concurrency limits existed. For a ba limit the "allowed" element says 0 when the allowance
was not consulted, 1 when it admitted the request, 2 when it was consulted and is spent; the
request's allAllowed is 1 when the allowance admitted it. A request without a ba limit gets the
reply it got before burst allowances existed, for one more table lookup.

Keys may belong to several scopes (several hash tags) where that is legal, i.e. outside Redis
Cluster: the whole check is then one atomic all-or-nothing over every scope.

cc: a sorted set of leases, member = lease id, score = the lease's expiry in microseconds. The
check first removes expired members (their instance stopped renewing them: it died), which
changes nothing any decision depends on, so it happens even when the request ends up denied.
Admitted when fewer than limit leases are live; the write adds the lease with expiry
now + window and sets the key's TTL to twice the window plus a minute (renewals push both
forward), so a set whose leases all expired disappears, but only after the next acquire had time
to remove (and report) the expired ones. A lease always counts 1, whatever the cost.

bg: a hash {w = window start, s = spent micro-units}, written only by charge.lua. The check
reads it and never writes it: admitted while spent < limit (a spent budget denies, whatever the
cost), remaining = limit - spent, negative when a request overdrew it. Amounts are bounded by
2^53 micro-units by the application, so the Lua number holding them is exact.

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

-- Sliding window: the window split into SW_SLOTS calendar-aligned sub-windows (slots), one count
-- per slot in one hash. The last SW_SLOTS + 1 slots (the current one and SW_SLOTS before it) cover
-- every unit that can still be inside the rolling window. A request is admitted when both
--   the estimate (the oldest slot weighted by its share still inside the rolling window, the
--   newer slots in full) plus the cost is at most the limit, so the long-run rate is the limit, and
--   the total of all SW_SLOTS + 1 slots plus the cost is at most the limit plus a tenth (rounded
--   up), which bounds what any rolling window can hold whatever the arrival times.
-- Ten slots is the fewest for which evenly spread traffic at the limit (a tenth of it per slot,
-- 1.1 times the limit in eleven slots) stays within the bound, so the bound never costs it rate.
-- Fields: 'n' = the newest slot written (floor(now / slot)), and per slot j its count under
-- field j mod (SW_SLOTS + 1). The key ends in ':sw2', so a hash of the earlier two-window scheme is
-- never read as one of these.
local SW_SLOTS = 10
local SW_FIELDS = { 'n' }
for i = 0, SW_SLOTS do
	SW_FIELDS[#SW_FIELDS + 1] = fmt(i)
end

local function sw_field(slot_index)
	return fmt(slot_index % (SW_SLOTS + 1))
end

evaluate.sw2 = function(key, limit, window)
	-- windows are whole milliseconds, so a slot is a whole number of microseconds
	local slot = window / SW_SLOTS
	local bound = limit + math.floor((limit + 9) / 10)
	local k = math.floor(now / slot)
	local elapsed = now - k * slot
	local stored = redis.call('HMGET', key, unpack(SW_FIELDS))
	local newest = tonumber(stored[1])
	-- counts[i] is the count of slot k - SW_SLOTS + i; slots the hash does not hold count 0
	local counts = {}
	for i = 0, SW_SLOTS do
		local j = k - SW_SLOTS + i
		local count = 0
		if newest and j <= newest and j >= newest - SW_SLOTS then
			count = tonumber(stored[2 + j % (SW_SLOTS + 1)]) or 0
		end
		counts[i] = count
	end
	local recent = 0
	for i = 1, SW_SLOTS do
		recent = recent + counts[i]
	end
	-- Floating point, evaluated in exactly the order of the specification so that the Java
	-- implementation gets bit-identical results.
	local estimate = counts[0] * (slot - elapsed) / slot + recent
	local total = counts[0] + recent
	local allowed = estimate + cost <= limit and total + cost <= bound
	if allowed then
		counts[SW_SLOTS] = counts[SW_SLOTS] + cost
	end
	-- Fully replenished once the newest slot with a count has left the last SW_SLOTS + 1 slots.
	local reset = 0
	for i = SW_SLOTS, 0, -1 do
		if counts[i] > 0 then
			reset = (k - SW_SLOTS + i + SW_SLOTS + 1) * slot - now
			break
		end
	end
	if allowed then
		local remaining = math.min(math.floor(limit - estimate - cost), bound - total - cost)
		return true, math.max(0, remaining), reset, 0, function()
			if not newest or k > newest + SW_SLOTS or k < newest - SW_SLOTS then
				-- nothing stored is in the window (or the clock went back by more than a window)
				redis.call('DEL', key)
				redis.call('HSET', key, 'n', fmt(k), sw_field(k), fmt(cost))
				newest = k
			elseif k > newest then
				-- the fields of the slots skipped since the newest one still hold slots that have
				-- now left the window
				if k > newest + 1 then
					local stale = {}
					for j = newest + 1, k - 1 do
						stale[#stale + 1] = sw_field(j)
					end
					redis.call('HDEL', key, unpack(stale))
				end
				redis.call('HSET', key, 'n', fmt(k), sw_field(k), fmt(cost))
				newest = k
			else
				redis.call('HINCRBY', key, sw_field(k), fmt(cost))
			end
			redis.call('PEXPIRE', key, ttl_millis((newest + SW_SLOTS + 1) * slot - now))
		end
	end
	local remaining = math.max(0, math.min(math.floor(limit - estimate), bound - total))
	-- The earliest time both conditions hold if nothing more is admitted. Both only ever relax with
	-- time, the total at slot boundaries and the estimate continuously, so walk the slots from the
	-- current one: the first slot whose total admits the cost and whose estimate does at some
	-- elapsed time e gives the answer. By slot k + SW_SLOTS + 1 everything has left the window.
	if cost > limit then
		return false, remaining, reset, never_admissible_retry(reset, window)
	end
	local function count(j)
		if j > k then
			return 0
		end
		return counts[j - k + SW_SLOTS]
	end
	for m = k, k + SW_SLOTS + 1 do
		local oldest = count(m - SW_SLOTS)
		local newer = 0
		for j = m - SW_SLOTS + 1, math.min(m, k) do
			newer = newer + count(j)
		end
		if oldest + newer + cost <= bound and newer + cost <= limit then
			local from = 0
			if m == k then
				from = elapsed
			end
			local function admits(e)
				return oldest * (slot - e) / slot + newer + cost <= limit
			end
			local e = from
			if oldest > 0 then
				e = math.max(from, math.min(slot, math.ceil(slot - (limit - cost - newer) * slot / oldest)))
				-- the exact earliest microsecond of the floating-point rule, whatever the rounding
				while e > from and admits(e - 1) do
					e = e - 1
				end
				while e < slot and not admits(e) do
					e = e + 1
				end
			end
			if e < slot then
				return false, remaining, reset, m * slot + e - now
			end
		end
	end
	return false, remaining, reset, never_admissible_retry(reset, window)
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

-- Concurrency: a sorted set of leases scored by expiry. The number of expired leases removed is
-- reported (freed[]) so that operators see leases their instance never released.
local freed = {}
evaluate.cc = function(key, limit, timeout, id)
	freed[#freed + 1] = redis.call('ZREMRANGEBYSCORE', key, '-inf', fmt(now))
	local held = redis.call('ZCARD', key)
	if held < limit then
		local remaining = limit - held
		if cost > 0 then
			remaining = remaining - 1
		end
		return true, remaining, 0, 0, function()
			redis.call('ZADD', key, fmt(now + timeout), id)
			redis.call('PEXPIRE', key, ttl_millis(2 * timeout + 60000000))
		end
	end
	-- A slot frees when any request in flight completes, which no one can predict; the
	-- oldest lease's expiry bounds the wait, and a client should retry soon: at most 1s.
	local retry = 1000000
	local oldest = redis.call('ZRANGE', key, '0', '0', 'WITHSCORES')
	if oldest[2] then
		retry = math.max(1, math.min(retry, tonumber(oldest[2]) - now))
	end
	return false, 0, 0, retry
end

-- Budget: read, never written here (charge.lua adds the real cost after the response).
local function no_write()
end

evaluate.bg = function(key, limit, start, reset)
	local stored = redis.call('HMGET', key, 'w', 's')
	local spent = 0
	if tonumber(stored[1]) == start then
		spent = tonumber(stored[2]) or 0
	end
	if spent < limit then
		return true, limit - spent, reset, 0, no_write
	end
	return false, limit - spent, reset, reset
end

--[[
ba: a burst allowance, a fixed-window count ({w, c} like fw) of its own key, consulted only after
every other limit was evaluated and only when the request is denied, the cost is positive and
every denying limit is a rate (tb, sw2, fw, sl) among the limits it stands behind (its scope's:
not a lease, not a budget, not another scope's). When it has room for the cost, the request is
admitted: the allowance and every limit that admitted the request (leases, other rates, other
scopes) are written; the limits that denied are not (they are exhausted already).
]]
local results = { 1 }
local writes = {}
local burst
evaluate.ba = function(key, limit, window, covered)
	-- #results + 1 is where this limit's "allowed" goes: a placeholder, set after the loop
	burst = { key = key, limit = limit, window = window, covered = covered, at = #results + 1 }
	return true, 0, 0, 0, no_write
end

local RATES = { tb = true, sw2 = true, fw = true, sl = true }

for i, key in ipairs(KEYS) do
	local base = 2 + (i - 1) * 4
	local algorithm = ARGV[base + 1]
	local evaluator = evaluate[algorithm]
	if not evaluator then
		return redis.error_reply('unknown rate limit algorithm: ' .. tostring(algorithm))
	end
	local fourth = ARGV[base + 4]
	if algorithm ~= 'cc' then
		fourth = tonumber(fourth)
	end
	local allowed, remaining, reset, retry, write = evaluator(key, tonumber(ARGV[base + 2]),
		tonumber(ARGV[base + 3]), fourth)
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

if burst then
	-- the placeholder (1) is not a denial, so the allowance does not stand in its own way
	local consulted = results[1] == 0 and cost > 0 and cost <= burst.limit
	local index = (burst.at - 2) / 4 + 1
	for j = 1, #KEYS do
		if not consulted then
			break
		end
		if results[2 + (j - 1) * 4] == 0 and (j < index - burst.covered or j >= index
				or not RATES[ARGV[3 + (j - 1) * 4]]) then
			consulted = false
		end
	end
	results[burst.at] = 0
	if consulted then
		local allowed, remaining, reset, retry, write = evaluate.fw(burst.key, burst.limit, burst.window)
		results[burst.at + 1] = remaining
		results[burst.at + 2] = reset
		results[burst.at + 3] = retry
		if allowed then
			results[1] = 1
			results[burst.at] = 1
			-- writes holds the writes of the limits that admitted the request, and no more
			writes[#writes + 1] = write
		else
			results[burst.at] = 2
		end
	end
end

if results[1] == 1 and cost > 0 then
	for _, write in ipairs(writes) do
		write()
	end
end
for _, count in ipairs(freed) do
	results[#results + 1] = count
end
if ARGV[3 + 4 * #KEYS] == 't' then
	results[#results + 1] = now
end
return results
