package dev.ratelimit.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The in-memory limiter of the 'local' failure mode.
 *
 * @author rate-limit-spring-boot
 */
public class FallbackProperties {

	/**
	 * Number of application instances that share the limits: each enforces its share of
	 * every limit while on the fallback (the limit divided by the number of instances,
	 * rounded down, at least 1). Unset (the default) to count the instances automatically
	 * from the heartbeats they keep in Redis while it answers; the last count is kept
	 * through an outage.
	 */
	private @Nullable Integer instances;

	/**
	 * How often each instance records its heartbeat in Redis when the instances are
	 * counted automatically. An instance is no longer counted after three intervals
	 * without one. Use the same interval on every instance.
	 */
	private Duration heartbeatInterval = Duration.ofSeconds(5);

	/**
	 * Most counters the in-memory limiter holds.
	 */
	private int maxKeys = 100_000;

	public @Nullable Integer getInstances() {
		return this.instances;
	}

	public void setInstances(@Nullable Integer instances) {
		this.instances = instances;
	}

	public Duration getHeartbeatInterval() {
		return this.heartbeatInterval;
	}

	public void setHeartbeatInterval(Duration heartbeatInterval) {
		this.heartbeatInterval = heartbeatInterval;
	}

	public int getMaxKeys() {
		return this.maxKeys;
	}

	public void setMaxKeys(int maxKeys) {
		this.maxKeys = maxKeys;
	}

}
