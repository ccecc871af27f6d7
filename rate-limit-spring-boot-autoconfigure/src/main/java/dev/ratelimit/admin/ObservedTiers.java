package dev.ratelimit.admin;

import org.jspecify.annotations.Nullable;

/**
 * The tier a caller's recent requests were on, as something that watches the traffic saw
 * it.
 *
 * @author rate-limit-spring-boot
 */
@FunctionalInterface
public interface ObservedTiers {

	/**
	 * The tier of a caller's recent requests.
	 * @param scope the caller's hashed scope
	 * @return the tier's name, or {@code null} when none was observed
	 */
	@Nullable String observedTier(String scope);

}
