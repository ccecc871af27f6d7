package dev.ratelimit.policy.dynamic;

import java.util.List;
import java.util.Map;

/**
 * Callers' reputations, from 0 (untrusted) to 1 (trusted), that
 * {@code rate-limit.dynamic.reputation} multiplies their limits by
 * {@code 0.5 + 0.5 x reputation}. Asked in batches, in the background, for the callers
 * seen recently (never on a request's thread). The default reads them from Redis; declare
 * a bean of this type to take them from elsewhere.
 *
 * @author rate-limit-spring-boot
 */
@FunctionalInterface
public interface ReputationProvider {

	/**
	 * The reputation a caller has until its provider knows better.
	 */
	double UNKNOWN = 0.8;

	/**
	 * The reputations of some callers.
	 * @param scopes the callers' hashed scopes, e.g. {@code u:3f2a…}
	 * @return the reputation of each caller that has one (0 to 1; values outside are
	 * clamped); a caller left out has the {@linkplain #UNKNOWN unknown} reputation
	 */
	Map<String, Double> reputations(List<String> scopes);

}
