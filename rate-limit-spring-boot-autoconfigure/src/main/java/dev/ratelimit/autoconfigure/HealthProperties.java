package dev.ratelimit.autoconfigure;

import java.time.Duration;

/**
 * The 'ratelimit' health contributor.
 *
 * @author rate-limit-spring-boot
 */
public class HealthProperties {

	/**
	 * Status reported while the limiter decides by its failure mode (Redis unreachable or
	 * the circuit breaker open). The default, DEGRADED, is not in Boot's status order, so
	 * it leaves the aggregate status and its HTTP code alone: a limiter outage does not
	 * take instances out of the load balancer. Set OUT_OF_SERVICE or DOWN to make it do
	 * so.
	 */
	private String fallbackStatus = "DEGRADED";

	/**
	 * Longest the health check waits for Redis to answer PING.
	 */
	private Duration timeout = Duration.ofSeconds(1);

	public String getFallbackStatus() {
		return this.fallbackStatus;
	}

	public void setFallbackStatus(String fallbackStatus) {
		this.fallbackStatus = fallbackStatus;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

}
