--[[
Runs several checks in one script call: the checks that arrive while an earlier call is on its
way to Redis are sent together, so that many requests share one command, one network write and
one read. Redis runs a script without interleaving anything else, so a batch of checks is exactly
those checks sent one after the other: each is all-or-nothing on its own, and they are evaluated
in the order given.

This is not a script of its own: the client sends it after check.lua's text wrapped as a
function, 'local function check(KEYS, ARGV) <check.lua> end', which this part calls once per check
with that check's own keys and arguments.

ARGV[1]            the number of checks n, >= 1
ARGV[2i], ARGV[2i+1]  for check i (1..n): how many keys, and how many arguments, are its own
then the arguments of check 1, of check 2, ... of check n; KEYS are the keys of check 1, ... n.

Returns an array of n replies, each what check.lua returns for that check alone.
]]

local count = tonumber(ARGV[1])
local replies = {}
local key_at, arg_at = 1, 2 + 2 * count
for i = 1, count do
	local key_count, arg_count = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
	replies[i] = check({ unpack(KEYS, key_at, key_at + key_count - 1) },
		{ unpack(ARGV, arg_at, arg_at + arg_count - 1) })
	key_at = key_at + key_count
	arg_at = arg_at + arg_count
end
return replies
