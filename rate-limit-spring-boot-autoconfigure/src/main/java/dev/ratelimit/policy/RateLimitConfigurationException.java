package dev.ratelimit.policy;

/**
 * Thrown at startup when the rate limit configuration is invalid. Names the offending property
 * (or annotated method) and how to fix it.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitConfigurationException extends RuntimeException {

	private final String property;

	private final String action;

	public RateLimitConfigurationException(String property, String problem, String action) {
		super("Invalid rate limit configuration '" + property + "': " + problem);
		this.property = property;
		this.action = action;
	}

	/**
	 * The property (or annotated method) that is wrong.
	 * @return the property
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * What to do about it.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
