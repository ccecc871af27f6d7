package dev.ratelimit.autoconfigure;

/**
 * The Micrometer metrics of the limiter.
 *
 * @author rate-limit-spring-boot
 */
public class MetricsProperties {

	/**
	 * Share of a limit below which an allowed request counts as near that limit
	 * (ratelimit.near.limit), between 0 and 1. 0.2 counts requests that leave less than
	 * 20% of any of their limits (of the burst, for a token bucket).
	 */
	private double nearLimitThreshold = 0.2;

	public double getNearLimitThreshold() {
		return this.nearLimitThreshold;
	}

	public void setNearLimitThreshold(double nearLimitThreshold) {
		this.nearLimitThreshold = nearLimitThreshold;
	}

}
