package dev.ratelimit.policy;

/**
 * Thrown at startup when a rule of the policy is invalid: an annotated method's, or one
 * the policy checks itself. Names the offending source (the annotated method, or the
 * property the caller names) and how to fix it. The auto-configuration reports invalid
 * properties as Boot's {@code InvalidConfigurationPropertyValueException} instead, whose
 * failure analysis shows where the property is set.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitConfigurationException extends RuntimeException {

	private final String property;

	private final String problem;

	private final String action;

	/**
	 * Create an exception.
	 * @param property the property or annotated method that is wrong
	 * @param problem what is wrong
	 * @param action how to fix it
	 */
	public RateLimitConfigurationException(String property, String problem, String action) {
		super("Invalid rate limit configuration '" + property + "': " + problem);
		this.property = property;
		this.problem = problem;
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
	 * What is wrong.
	 * @return the problem
	 */
	public String getProblem() {
		return this.problem;
	}

	/**
	 * What to do about it.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
