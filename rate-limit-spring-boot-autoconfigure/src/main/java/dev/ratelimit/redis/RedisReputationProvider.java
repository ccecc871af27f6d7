package dev.ratelimit.redis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.ratelimit.policy.dynamic.ReputationProvider;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.Assert;

/**
 * The default {@link ReputationProvider}: each caller's reputation is a decimal number
 * from 0 to 1 in the string key {@code <prefix>:{<scope>}:reputation} (in the caller's
 * hash slot, next to its counters), which an operator or a scoring job sets, e.g.
 * {@code SET rl:{u:3f2a…}:reputation 0.3}. A missing key, or one that is not a number, is
 * an unknown reputation. Read in batches with {@code MGET} (split by slot on a cluster).
 *
 * @author rate-limit-spring-boot
 */
public final class RedisReputationProvider implements ReputationProvider {

	private final StringRedisTemplate template;

	private final String keyPrefix;

	/**
	 * Create a provider.
	 * @param template the template to read with
	 * @param keyPrefix the prefix of every rate limit key
	 */
	public RedisReputationProvider(StringRedisTemplate template, String keyPrefix) {
		Assert.hasText(keyPrefix, "'keyPrefix' must not be empty");
		this.template = template;
		this.keyPrefix = keyPrefix;
	}

	/**
	 * The key of a caller's reputation.
	 * @param keyPrefix the prefix of every rate limit key
	 * @param scope the caller's hashed scope
	 * @return the key
	 */
	public static String key(String keyPrefix, String scope) {
		return keyPrefix + ":{" + scope + "}:reputation";
	}

	@Override
	public Map<String, Double> reputations(List<String> scopes) {
		if (scopes.isEmpty()) {
			return Map.of();
		}
		List<String> keys = new ArrayList<>(scopes.size());
		for (String scope : scopes) {
			keys.add(key(this.keyPrefix, scope));
		}
		List<String> values = this.template.opsForValue().multiGet(keys);
		Map<String, Double> reputations = new HashMap<>();
		if (values == null) {
			return reputations;
		}
		for (int i = 0; i < scopes.size() && i < values.size(); i++) {
			Double reputation = parse(values.get(i));
			if (reputation != null) {
				reputations.put(scopes.get(i), reputation);
			}
		}
		return reputations;
	}

	private static @Nullable Double parse(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			double reputation = Double.parseDouble(value.trim());
			return Double.isFinite(reputation) ? reputation : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
