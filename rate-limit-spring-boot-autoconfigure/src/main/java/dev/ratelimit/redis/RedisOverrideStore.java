package dev.ratelimit.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.ratelimit.core.PeriodicTask;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitOverride;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.Assert;

/**
 * An {@link OverrideStore} in Redis, shared by every instance of the application.
 * <p>
 * Overrides live in one hash, {@code <prefix>:{overrides}}, next to a version,
 * {@code <prefix>:{overrides}:version}, that every write replaces with a random token
 * (both in one script, on one Cluster slot). Each instance keeps a local copy of the
 * hash, so looking an override up on a request is a map read. A write applies on the
 * writing instance at once and is published on the {@link RedisChanges} channel, on whose
 * message every other instance's {@link RedisChangeListener} {@linkplain #refresh()
 * refreshes} its copy: the change applies everywhere as soon as the message arrives. As
 * the safety net for a message missed (an instance that was reconnecting, a publish that
 * failed), a background thread also reads the version every refresh interval and reloads
 * the hash when it changed.
 * <p>
 * The expiry is stored in the value and checked on every read, so an override stops
 * applying at its expiry on every instance whether or not it has refreshed since. Expired
 * entries are deleted by the next write, and the hash expires with its last override.
 * <p>
 * While Redis does not answer, the last copy stays in use: a Redis outage never changes
 * whose limits are overridden, and never fails a request.
 *
 * @author rate-limit-spring-boot
 */
public final class RedisOverrideStore implements OverrideStore, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisOverrideStore.class);

	private static final RedisScript<Long> PUT = script("override-put.lua");

	private static final RedisScript<Long> REMOVE = script("override-remove.lua");

	private static final String TIER = "t";

	private static final String MULTIPLIER = "m";

	private final StringRedisTemplate template;

	private final Clock clock;

	private final String hashKey;

	private final String versionKey;

	private final PeriodicTask refreshes;

	private final RedisChanges changes;

	private final Object monitor = new Object();

	private volatile Map<String, RateLimitOverride> overrides = Map.of();

	/**
	 * The version the local copy was read at; {@code null} once read while no version
	 * existed.
	 */
	private @Nullable String loadedVersion;

	private boolean loaded;

	private boolean failing;

	/**
	 * Create a store. It reads Redis once {@linkplain #start() started}.
	 * @param template the template to talk to Redis with
	 * @param keyPrefix the prefix of the store's keys
	 * @param clock the clock that decides expiry
	 * @param refreshInterval how often to look for changes made by other instances, the
	 * safety net for a change whose message this instance missed
	 */
	public RedisOverrideStore(StringRedisTemplate template, String keyPrefix, Clock clock, Duration refreshInterval) {
		Assert.notNull(template, "'template' must not be null");
		Assert.hasText(keyPrefix, "'keyPrefix' must not be empty");
		Assert.isTrue(refreshInterval.toMillis() > 0, "'refreshInterval' must be at least 1ms");
		this.template = template;
		this.clock = clock;
		this.hashKey = keyPrefix + ":{overrides}";
		this.versionKey = this.hashKey + ":version";
		this.refreshes = new PeriodicTask("rate-limit-overrides", this::refresh, refreshInterval);
		this.changes = new RedisChanges(template, keyPrefix);
	}

	@Override
	public @Nullable RateLimitOverride find(String scope) {
		Map<String, RateLimitOverride> overrides = this.overrides;
		if (overrides.isEmpty()) {
			return null;
		}
		RateLimitOverride override = overrides.get(scope);
		return (override != null && override.isActiveAt(this.clock.instant())) ? override : null;
	}

	@Override
	public Map<String, RateLimitOverride> findAll() {
		return RateLimitOverride.activeAt(this.overrides, this.clock.instant());
	}

	@Override
	public void put(String scope, RateLimitOverride override) {
		synchronized (this.monitor) {
			this.template.execute(PUT, List.of(this.hashKey, this.versionKey), scope, encode(override),
					Long.toString(this.clock.millis()), newVersion());
			// Applies here at once; the version is left as it was, so that the next
			// refresh still picks up whatever other instances wrote in between.
			Map<String, RateLimitOverride> updated = new HashMap<>(this.overrides);
			updated.put(scope, override);
			this.overrides = Map.copyOf(updated);
		}
		this.changes.overrideChanged(scope);
	}

	@Override
	public boolean remove(String scope) {
		boolean removed;
		synchronized (this.monitor) {
			Long deleted = this.template.execute(REMOVE, List.of(this.hashKey, this.versionKey), scope, newVersion());
			Map<String, RateLimitOverride> updated = new HashMap<>(this.overrides);
			boolean known = updated.remove(scope) != null;
			this.overrides = Map.copyOf(updated);
			removed = (deleted != null && deleted == 1) || known;
		}
		this.changes.overrideChanged(scope);
		return removed;
	}

	/**
	 * Reload the overrides when another instance changed them. Called every refresh
	 * interval while the store runs, and on a change another instance published; never
	 * throws: while Redis cannot be read, the last copy stays in use.
	 */
	public void refresh() {
		synchronized (this.monitor) {
			try {
				String version = this.template.opsForValue().get(this.versionKey);
				if (!this.loaded || !Objects.equals(version, this.loadedVersion)) {
					this.overrides = read();
					this.loadedVersion = version;
					this.loaded = true;
				}
				if (this.failing) {
					this.failing = false;
					logger.info("Reading rate limit overrides from Redis again");
				}
			}
			catch (RuntimeException ex) {
				if (Thread.currentThread().isInterrupted()) {
					// Stopped during a read: not a failure of Redis, and nothing to
					// report.
					return;
				}
				if (!this.failing) {
					this.failing = true;
					logger.warn("Cannot read rate limit overrides from Redis; the " + this.overrides.size()
							+ " known overrides stay in use until it answers: " + ex);
				}
			}
		}
	}

	private Map<String, RateLimitOverride> read() {
		Map<Object, Object> entries = this.template.opsForHash().entries(this.hashKey);
		Map<String, RateLimitOverride> overrides = new HashMap<>();
		entries.forEach((scope, value) -> {
			RateLimitOverride override = decode(value.toString());
			if (override != null) {
				overrides.put(scope.toString(), override);
			}
		});
		return Map.copyOf(overrides);
	}

	private static String newVersion() {
		return UUID.randomUUID().toString();
	}

	static String encode(RateLimitOverride override) {
		String expiry = Long.toString(override.expiresAt().toEpochMilli());
		return (override.tier() != null) ? expiry + "|" + TIER + "|" + override.tier()
				: expiry + "|" + MULTIPLIER + "|" + override.multiplier();
	}

	static @Nullable RateLimitOverride decode(String value) {
		int first = value.indexOf('|');
		int second = (first > 0) ? value.indexOf('|', first + 1) : -1;
		if (second < 0) {
			return null;
		}
		try {
			Instant expiresAt = Instant.ofEpochMilli(Long.parseLong(value.substring(0, first)));
			String kind = value.substring(first + 1, second);
			String argument = value.substring(second + 1);
			if (TIER.equals(kind)) {
				return RateLimitOverride.tier(argument, expiresAt);
			}
			if (MULTIPLIER.equals(kind)) {
				return RateLimitOverride.multiplier(Double.parseDouble(argument), expiresAt);
			}
			return null;
		}
		catch (IllegalArgumentException ex) {
			// Not ours, or written by a newer version: ignored rather than failing every
			// refresh.
			return null;
		}
	}

	/**
	 * Read the overrides and look for changes every refresh interval, on a thread of the
	 * store's own: a Redis that hangs never holds up the application's startup.
	 */
	@Override
	public void start() {
		this.refreshes.start();
	}

	@Override
	public void stop() {
		this.refreshes.stop();
	}

	@Override
	public boolean isRunning() {
		return this.refreshes.isRunning();
	}

	/**
	 * Start before the web server, so that the overrides are being read when requests
	 * arrive.
	 * @return the phase
	 */
	@Override
	public int getPhase() {
		return 0;
	}

	private static RedisScript<Long> script(String name) {
		// Read once, as the limiter's script: no class-path look-up per write.
		return LuaScript.load("META-INF/scripts/rate-limit/" + name, Long.class);
	}

	@Override
	public String toString() {
		return "RedisOverrideStore[key=" + this.hashKey + ", overrides=" + this.overrides.size() + "]";
	}

}
