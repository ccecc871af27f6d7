package dev.ratelimit.autoconfigure;

/**
 * Remembers denials so that a caller over its limit is refused without a Redis call until
 * its Retry-After has passed.
 *
 * @author rate-limit-spring-boot
 */
public class OverLimitCacheProperties {

	/**
	 * Whether to deny callers from memory while an earlier denial's Retry-After runs.
	 * Only applies when the limits are kept in Redis.
	 */
	private boolean enabled = true;

	/**
	 * Most denials remembered at once; beyond that some are forgotten, which only costs
	 * Redis calls.
	 */
	private int maxEntries = 10_000;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getMaxEntries() {
		return this.maxEntries;
	}

	public void setMaxEntries(int maxEntries) {
		this.maxEntries = maxEntries;
	}

}
