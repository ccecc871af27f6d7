package dev.ratelimit.policy.dynamic;

/**
 * This instance's load, from 0 (idle) to 1 (saturated), that
 * {@code rate-limit.dynamic.load} lowers or raises limits by. Sampled in the background
 * (never on a request's thread), so an implementation may take a moment, but should not
 * block for long. The default is the process's CPU load ({@link ProcessCpuLoadSignal});
 * declare a bean of this type to use another measure (a queue's depth, a pool's usage).
 *
 * @author rate-limit-spring-boot
 */
@FunctionalInterface
public interface LoadSignal {

	/**
	 * The current load.
	 * @return the load from 0 to 1 (values outside are clamped), or {@link Double#NaN}
	 * when unknown, which adjusts nothing
	 */
	double load();

}
