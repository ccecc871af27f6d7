package dev.ratelimit.core;

/**
 * How many instances of the application share the limits. A local fallback enforces
 * {@linkplain LimitSpec#shareOf(int) its share} of each limit, so that the fleet together
 * does not admit more than one copy of it while the shared backend is unavailable.
 * <p>
 * Read on every fallback check: an implementation answers from memory, never with I/O.
 *
 * @author rate-limit-spring-boot
 */
@FunctionalInterface
public interface FleetSize {

	/**
	 * The number of instances that share each limit.
	 * @return at least 1
	 */
	int instances();

	/**
	 * A fleet of a fixed size, as configured.
	 * @param instances the number of instances, at least 1
	 * @return the fleet size
	 */
	static FleetSize fixed(int instances) {
		if (instances < 1) {
			throw new IllegalArgumentException("instances must be at least 1, was " + instances);
		}
		return () -> instances;
	}

}
