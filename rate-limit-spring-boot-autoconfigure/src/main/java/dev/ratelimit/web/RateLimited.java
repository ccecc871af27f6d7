package dev.ratelimit.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Puts requests handled by a controller method (or every method of a controller) under an
 * operation's limits. Takes precedence over path rules, and is checked in the same single
 * backend call as any other limit of the request.
 *
 * @author rate-limit-spring-boot
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RateLimited {

	/**
	 * The operation, as configured under {@code rate-limit.tiers.<tier>.limits} or
	 * {@code rate-limit.operations}, e.g. {@code ai_generation}.
	 * @return the operation name
	 */
	String operation();

	/**
	 * Units of quota one request consumes; negative (the default) uses the operation's
	 * configured cost.
	 * @return the cost
	 */
	long cost() default -1;

	/**
	 * Requests of this handler's operation each caller may have in flight at once, on
	 * every tier that configures no {@code rate-limit.tiers.<tier>.concurrent} of its own
	 * for the operation; {@code 0} (the default) for no concurrency limit. The request
	 * holds a lease until its response is complete, asynchronous and streaming responses
	 * included.
	 * @return the concurrency limit per caller, or {@code 0} for none
	 */
	int concurrent() default 0;

	/**
	 * Whether this handler's operation is in shadow mode here: its requests are checked
	 * and counted as usual, and one the limits deny is let through (and counted as
	 * shadowed) rather than denied, as {@code rate-limit.operations.<op>.shadow} does for
	 * every request of the operation.
	 * @return {@code true} to never deny
	 */
	boolean shadow() default false;

}
