package dev.ratelimit.resilience;

/**
 * What the rate limiter does while its primary backend (Redis) cannot answer.
 *
 * @author rate-limit-spring-boot
 */
public enum FailureMode {

	/**
	 * Enforce the same rules in memory, per instance, optionally with each limit divided
	 * by the number of instances.
	 */
	LOCAL,

	/**
	 * Let every request through (fail open).
	 */
	ALLOW,

	/**
	 * Refuse every limited request with {@code 503 Service Unavailable} (fail closed).
	 */
	DENY

}
