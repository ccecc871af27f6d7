--[[
Records one instance's heartbeat and counts the instances of the fleet.

KEYS[1]  the sorted set of instances, <prefix>:{fleet}:instances: member = an instance's random id,
         score = the Redis time of its last heartbeat in milliseconds. One key with its own hash
         tag, so this script touches one Redis Cluster slot.
ARGV[1]  this instance's id
ARGV[2]  how long a heartbeat counts, in milliseconds: an instance that has not beaten for this
         long is gone (it crashed or lost Redis) and is removed

The time is Redis TIME, never an instance's clock, so that instances whose clocks drift apart
still agree on who is alive. Members older than ARGV[2] are removed here, and the key expires
when the last instance stops beating, so the set holds no more than the live instances.
Returns the number of live instances, this one included.
]]

-- Redis 5+ replicates the script's effects rather than the script, so reading the clock before
-- writing is allowed and replicas see the same values.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lifetime = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], string.format('%d', now), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', now - lifetime))
redis.call('PEXPIRE', KEYS[1], string.format('%d', lifetime))
return redis.call('ZCARD', KEYS[1])
