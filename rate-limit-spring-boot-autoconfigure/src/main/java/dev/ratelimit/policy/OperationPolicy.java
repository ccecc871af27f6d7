package dev.ratelimit.policy;

import java.util.List;

import dev.ratelimit.core.LimitSpec;

/**
 * A resolved operation.
 *
 * @param name the name as the user wrote it, e.g. {@code ai_generation}
 * @param id the canonical name (see {@link Names#canonical(String)}), used in keys
 * @param key whose budget requests of this operation are charged to
 * @param cost the units one request consumes unless an annotation says otherwise
 * @param limits limits for tiers that list none of their own for this operation
 * @author rate-limit-spring-boot
 */
public record OperationPolicy(String name, String id, KeyType key, long cost, List<LimitSpec> limits) {

	public OperationPolicy {
		limits = List.copyOf(limits);
	}

}
