package dev.ratelimit.autoconfigure;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.NamedUser;
import dev.ratelimit.policy.NamedUsers;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.TierPolicy;
import dev.ratelimit.web.Identity;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Maps {@code rate-limit.users} to the {@link NamedUsers}, keyed by the scope the default
 * identity resolver charges an authenticated user's requests to (the hashed principal
 * name), and validates every entry at startup: a name that is blank or given twice, a
 * tier or operation that is not configured, a limit that is not valid.
 *
 * @author rate-limit-spring-boot
 */
final class NamedUsersMapper {

	private static final String PREFIX = "rate-limit.users";

	private final ConfiguredNames names;

	private final InvalidRateLimitProperty invalid;

	private final RateLimitPolicyMapper limitsMapper;

	NamedUsersMapper(ConfiguredNames names, InvalidRateLimitProperty invalid) {
		this.names = names;
		this.invalid = invalid;
		this.limitsMapper = new RateLimitPolicyMapper(names, invalid);
	}

	/**
	 * Map and validate the named users.
	 * @param properties the properties
	 * @param policy the policy whose tiers and operations the users name
	 * @return the named users
	 */
	NamedUsers toNamedUsers(RateLimitProperties properties, RateLimitPolicy policy) {
		List<NamedUserProperties> users = properties.getUsers();
		Map<String, NamedUser> byScope = new HashMap<>();
		for (int i = 0; i < users.size(); i++) {
			NamedUserProperties user = users.get(i);
			String property = PREFIX + "[" + i + "]";
			String name = user.getName();
			if (!StringUtils.hasText(name)) {
				throw this.invalid.invalid(property + ".name", name, "the user has no name",
						"Give the principal name the user authenticates as.");
			}
			String scope = Identity.user(name).scope();
			if (byScope.containsKey(scope)) {
				throw this.invalid.invalid(property + ".name", name, "the user is named twice in rate-limit.users",
						"Give each user one entry.");
			}
			TierPolicy tier = tier(user.getTier(), policy, property + ".tier");
			Map<String, List<LimitSpec>> limits = limits(user, policy, tier, property + ".limits");
			byScope.put(scope, NamedUser.of(tier, limits, policy.tiers()));
		}
		return new NamedUsers(byScope);
	}

	private @Nullable TierPolicy tier(@Nullable String name, RateLimitPolicy policy, String property) {
		if (name == null) {
			return null;
		}
		TierPolicy tier = StringUtils.hasText(name) ? policy.tier(name) : null;
		if (tier == null) {
			throw this.invalid.invalid(property, name,
					"tier '" + name + "' is not configured (configured: "
							+ String.join(", ", policy.tiers().stream().map(TierPolicy::name).sorted().toList()) + ")",
					"Name one of the tiers under rate-limit.tiers, or remove the tier to keep the user's own.");
		}
		return tier;
	}

	private Map<String, List<LimitSpec>> limits(NamedUserProperties user, RateLimitPolicy policy,
			@Nullable TierPolicy tier, String property) {
		Map<String, List<LimitSpec>> limits = new LinkedHashMap<>();
		user.getLimits().forEach((boundName, operationLimits) -> {
			String name = this.names.spelling(boundName);
			String operationProperty = property + "." + name;
			OperationPolicy operation = policy.operation(name);
			if (operation == null) {
				throw this.invalid.invalid(operationProperty, operationLimits,
						"operation '" + name + "' is not configured (configured: "
								+ String.join(", ",
										policy.operations().stream().map(OperationPolicy::name).sorted().toList())
								+ ")",
						"Name an operation of rate-limit.operations or of a tier's limits.");
			}
			if (operation.key() != KeyType.IDENTITY) {
				throw this.invalid.invalid(operationProperty, operationLimits,
						"operation '" + name + "' is keyed by " + operation.key().name().toLowerCase(Locale.ROOT)
								+ ", so its budgets are not the user's own",
						"Remove the entry: a user's own limits apply to operations keyed by identity.");
			}
			if (tier != null && tier.unlimited()) {
				throw this.invalid.invalid(operationProperty, operationLimits,
						"tier '" + tier.name() + "' is unlimited, so the user's own limits would never apply",
						"Remove the user's limits, or put the user on a limited tier.");
			}
			List<LimitSpec> specs = this.limitsMapper.limits(operationLimits, operationProperty);
			if (specs.isEmpty()) {
				throw this.invalid.invalid(operationProperty, "", "no limit is given",
						"Give at least one limit, e.g. 100/1h, or remove the entry.");
			}
			limits.put(operation.id(), specs);
		});
		return limits;
	}

}
