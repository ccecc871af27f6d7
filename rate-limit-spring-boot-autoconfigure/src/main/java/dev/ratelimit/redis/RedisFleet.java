package dev.ratelimit.redis;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.FleetSize;
import dev.ratelimit.core.PeriodicTask;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.DefaultStringRedisConnection;
import org.springframework.data.redis.connection.StringRedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.Assert;

/**
 * The {@link FleetSize} as the instances of the application report it in Redis: each
 * instance keeps a heartbeat in one sorted set, {@code <prefix>:{fleet}:instances}
 * (member = a random id per instance, score = the Redis time of its last heartbeat), and
 * counts the members that beat recently.
 * <p>
 * A background thread of its own beats every interval: it reads Redis {@code TIME} (never
 * an instance's clock, so that instances whose clocks drift apart agree on who is alive),
 * records this instance, removes the instances that have not beaten for
 * {@value #LIFETIME_INTERVALS} intervals (they crashed, or lost Redis), keeps the key
 * expiring with the last heartbeat, and counts the rest. A check never waits for it:
 * {@link #instances()} reads the last count from memory.
 * <p>
 * These are plain commands on one key, not a script: the order of a connection's commands
 * is all a heartbeat needs, and no background script mixes with the checks'
 * {@code EVALSHA} calls in Redis's command statistics, where one script call per check is
 * what operators verify.
 * <p>
 * While Redis does not answer, the last count stays in use: an outage is exactly when the
 * local fallback needs it, so it never drops to one because Redis went away. An instance
 * that starts while Redis is unavailable counts itself alone until Redis answers, and the
 * others do not count it either until then. On {@linkplain #stop() stop} the instance
 * removes itself, so the others count one fewer at their next heartbeat rather than after
 * the lifetime.
 *
 * @author rate-limit-spring-boot
 */
public final class RedisFleet implements FleetSize, SmartLifecycle {

	/**
	 * How many intervals a heartbeat counts: missing two in a row (a slow Redis, a GC
	 * pause) is not leaving the fleet.
	 */
	static final int LIFETIME_INTERVALS = 3;

	private static final Log logger = LogFactory.getLog(RedisFleet.class);

	/**
	 * How long {@link #stop()} waits for Redis to remove this instance.
	 */
	private static final Duration LEAVE_WAIT = Duration.ofSeconds(1);

	private final StringRedisTemplate template;

	private final String key;

	private final String instanceId;

	private final Duration interval;

	private final PeriodicTask heartbeats;

	private volatile int instances = 1;

	private volatile boolean counted;

	private volatile boolean failing;

	/**
	 * Create a fleet member with a random id. It beats once {@linkplain #start()
	 * started}.
	 * @param template the template to talk to Redis with
	 * @param keyPrefix the prefix of the fleet's key
	 * @param interval how often to beat; an instance is counted for
	 * {@value #LIFETIME_INTERVALS} intervals after its last heartbeat
	 */
	public RedisFleet(StringRedisTemplate template, String keyPrefix, Duration interval) {
		this(template, keyPrefix, interval, UUID.randomUUID().toString());
	}

	RedisFleet(StringRedisTemplate template, String keyPrefix, Duration interval, String instanceId) {
		Assert.notNull(template, "'template' must not be null");
		Assert.hasText(keyPrefix, "'keyPrefix' must not be empty");
		Assert.isTrue(interval.toMillis() > 0, "'interval' must be at least 1ms");
		this.template = template;
		this.key = key(keyPrefix);
		this.interval = interval;
		this.instanceId = instanceId;
		this.heartbeats = new PeriodicTask("rate-limit-fleet", this::beat, interval);
	}

	/**
	 * The key of a fleet's sorted set. A hash tag of its own, so that it lives on one
	 * Redis Cluster slot and never shares one with a caller's keys.
	 * @param keyPrefix the key prefix
	 * @return the key
	 */
	static String key(String keyPrefix) {
		return keyPrefix + ":{fleet}:instances";
	}

	/**
	 * The number of instances that beat within the lifetime at the last heartbeat Redis
	 * answered, this one included; 1 before Redis ever answered.
	 * @return at least 1
	 */
	@Override
	public int instances() {
		return this.instances;
	}

	/**
	 * Whether Redis has answered a heartbeat yet, so that {@link #instances()} is a
	 * count.
	 * @return {@code true} once counted
	 */
	public boolean isCounted() {
		return this.counted;
	}

	/**
	 * Whether the last heartbeat failed, so that {@link #instances()} is the count from
	 * before.
	 * @return {@code true} while Redis does not answer the heartbeats
	 */
	public boolean isFailing() {
		return this.failing;
	}

	/**
	 * The key of the fleet's sorted set.
	 * @return the key
	 */
	public String getKey() {
		return this.key;
	}

	/**
	 * This instance's member in the sorted set.
	 * @return the random id
	 */
	public String getInstanceId() {
		return this.instanceId;
	}

	/**
	 * How often this instance beats.
	 * @return the interval
	 */
	public Duration getInterval() {
		return this.interval;
	}

	/**
	 * Beat once: record this instance and count the fleet. Called every interval while
	 * the fleet runs; never throws: while Redis does not answer, the last count stays in
	 * use.
	 */
	public void beat() {
		try {
			Long count = this.template
				.execute((RedisCallback<Long>) (connection) -> beat(new DefaultStringRedisConnection(connection)));
			onCount((count != null) ? count : 1);
		}
		catch (RuntimeException ex) {
			if (Thread.currentThread().isInterrupted()) {
				// Stopped while waiting for Redis: not a failure to report.
				return;
			}
			if (!this.failing) {
				this.failing = true;
				logger.info("Cannot count the rate limit fleet in Redis; the local fallback keeps sharing "
						+ "each limit by " + this.instances + " instance(s) until it answers: " + ex);
			}
		}
	}

	private @Nullable Long beat(StringRedisConnection connection) {
		long lifetime = lifetime().toMillis();
		Long now = connection.time(TimeUnit.MILLISECONDS);
		Assert.state(now != null, "Redis TIME returned nothing");
		connection.zAdd(this.key, now, this.instanceId);
		// Scores are whole milliseconds: everything up to one before the lifetime began
		// is gone.
		connection.zRemRangeByScore(this.key, Double.NEGATIVE_INFINITY, now - lifetime - 1);
		connection.pExpire(this.key, lifetime);
		return connection.zCard(this.key);
	}

	private void onCount(long count) {
		// Never 0 (the count includes this instance), and never more than an int can
		// hold.
		int instances = (int) Math.max(1, Math.min(Integer.MAX_VALUE, count));
		int previous = this.instances;
		boolean wasCounted = this.counted;
		this.instances = instances;
		this.counted = true;
		this.failing = false;
		if (!wasCounted || previous != instances) {
			logger.info("Rate limit fleet: " + instances + " instance(s) share the limits; while Redis is "
					+ "unavailable each enforces its share (heartbeats in " + this.key + ")");
		}
	}

	private Duration lifetime() {
		return this.interval.multipliedBy(LIFETIME_INTERVALS);
	}

	/**
	 * Remove this instance from the fleet, so that the others stop counting it at their
	 * next heartbeat. Best effort: an instance that cannot is dropped after the lifetime.
	 */
	void leave() {
		try {
			this.template.opsForZSet().remove(this.key, this.instanceId);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not remove this instance from the rate limit fleet in Redis", ex);
		}
	}

	/**
	 * Beat now and every interval, on a thread of the fleet's own: a Redis that hangs
	 * never holds up the application's startup nor a check.
	 */
	@Override
	public void start() {
		this.heartbeats.start();
	}

	/**
	 * Stop beating and leave the fleet, waiting a second at most for Redis. The leaving
	 * runs on the fleet's thread, after a heartbeat in progress: one that finished after
	 * the removal would add this instance again.
	 */
	@Override
	public void stop() {
		this.heartbeats.stop(this::leave, LEAVE_WAIT);
	}

	@Override
	public boolean isRunning() {
		return this.heartbeats.isRunning();
	}

	/**
	 * Start before the web server, so that the fleet is counted when requests arrive, and
	 * stop after it.
	 * @return the phase
	 */
	@Override
	public int getPhase() {
		return 0;
	}

	@Override
	public String toString() {
		return "RedisFleet[key=" + this.key + ", instances=" + this.instances + (this.failing ? ", failing" : "") + "]";
	}

}
