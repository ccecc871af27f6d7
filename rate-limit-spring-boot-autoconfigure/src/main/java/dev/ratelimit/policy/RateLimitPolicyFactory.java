package dev.ratelimit.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.ratelimit.autoconfigure.RateLimitProperties;
import dev.ratelimit.autoconfigure.RateLimitProperties.Limit;
import dev.ratelimit.autoconfigure.RateLimitProperties.Operation;
import dev.ratelimit.autoconfigure.RateLimitProperties.Tier;
import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.LimitSpec;

import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Builds the {@link RateLimitPolicy} from {@link RateLimitProperties}, validating everything so
 * that configuration errors stop startup with the property name and the fix, never surface on a
 * request.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitPolicyFactory {

	/**
	 * The largest limit of a sliding log, which keeps one entry per admitted unit.
	 */
	static final long MAX_SLIDING_LOG_LIMIT = 100_000;

	private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
			"TRACE");

	private static final String PREFIX = "rate-limit.";

	private final PathPatternParser parser = PathPatternParser.defaultInstance;

	private final ConfiguredNames names;

	public RateLimitPolicyFactory(ConfiguredNames names) {
		this.names = names;
	}

	/**
	 * Build and validate the policy.
	 * @param properties the properties
	 * @return the policy
	 * @throws RateLimitConfigurationException when the configuration is invalid
	 */
	public RateLimitPolicy create(RateLimitProperties properties) {
		Map<String, OperationPolicy> operations = operations(properties);
		Map<String, TierPolicy> tiers = tiers(properties);
		TierPolicy defaultTier = tiers.get(Names.canonical(properties.getDefaultTier()));
		if (defaultTier == null) {
			throw new RateLimitConfigurationException(PREFIX + "default-tier",
					"tier '" + properties.getDefaultTier() + "' is not configured (configured: "
							+ names(tiers.values().stream().map(TierPolicy::name).toList()) + ")",
					"Set rate-limit.default-tier to one of the configured tiers, or configure rate-limit.tiers."
							+ properties.getDefaultTier() + ".");
		}
		OperationPolicy defaultOperation = operations.get(Names.canonical(properties.getDefaultOperation()));
		if (defaultOperation == null) {
			throw new RateLimitConfigurationException(PREFIX + "default-operation",
					"operation '" + properties.getDefaultOperation() + "' is not configured (configured: "
							+ names(operations.values().stream().map(OperationPolicy::name).toList()) + ")",
					"Set rate-limit.default-operation to a configured operation, or give it limits under "
							+ "rate-limit.tiers.<tier>.limits or rate-limit.operations.");
		}
		RateLimitPolicy policy = new RateLimitPolicy(tiers, operations, defaultTier, defaultOperation,
				endpointRules(properties, operations), exclusions(properties));
		for (Map.Entry<String, Operation> entry : properties.getOperations().entrySet()) {
			OperationPolicy operation = operations.get(Names.canonical(entry.getKey()));
			policy.validateCost(operation, entry.getValue().getCost(),
					PREFIX + "operations." + operation.name() + ".cost");
		}
		return policy;
	}

	private Map<String, OperationPolicy> operations(RateLimitProperties properties) {
		Map<String, OperationPolicy> operations = new LinkedHashMap<>();
		properties.getOperations().forEach((boundName, operation) -> {
			String name = this.names.spelling(boundName);
			List<LimitSpec> limits = limits(operation.getLimits(), PREFIX + "operations." + name + ".limits");
			putUnique(operations, new OperationPolicy(name, Names.canonical(name), operation.getKey(),
					operation.getCost(), limits), PREFIX + "operations." + name);
		});
		// An operation that only tiers mention (e.g. api_requests: 1000/1h) exists as well.
		properties.getTiers().values().forEach((tier) -> tier.getLimits().keySet().forEach((boundName) -> {
			String name = this.names.spelling(boundName);
			operations.putIfAbsent(Names.canonical(name),
					new OperationPolicy(name, Names.canonical(name), KeyType.IDENTITY, 1, List.of()));
		}));
		return operations;
	}

	private Map<String, TierPolicy> tiers(RateLimitProperties properties) {
		Map<String, TierPolicy> tiers = new LinkedHashMap<>();
		properties.getTiers().forEach((boundName, tier) -> {
			String name = this.names.spelling(boundName);
			String property = PREFIX + "tiers." + name;
			if (tier.isUnlimited() && !tier.getLimits().isEmpty()) {
				throw new RateLimitConfigurationException(property + ".limits",
						"tier '" + name + "' is unlimited and also lists limits",
						"Remove " + property + ".limits, or set " + property + ".unlimited to false.");
			}
			putUnique(tiers, new TierPolicy(name, Names.canonical(name), tier.isUnlimited(), tier.getUpgradeUrl(),
					tierLimits(tier, property)), property);
		});
		return tiers;
	}

	private Map<String, List<LimitSpec>> tierLimits(Tier tier, String property) {
		Map<String, List<LimitSpec>> limits = new LinkedHashMap<>();
		tier.getLimits().forEach((boundName, operationLimits) -> {
			String name = this.names.spelling(boundName);
			String operationProperty = property + ".limits." + name;
			List<LimitSpec> specs = limits(operationLimits, operationProperty);
			if (specs.isEmpty()) {
				throw new RateLimitConfigurationException(operationProperty, "no limit is given",
						"Give at least one limit, e.g. 100/1h, or remove the entry.");
			}
			if (limits.put(Names.canonical(name), specs) != null) {
				throw duplicate(operationProperty);
			}
		});
		return limits;
	}

	private List<LimitSpec> limits(List<Limit> limits, String property) {
		List<LimitSpec> specs = new ArrayList<>(limits.size());
		Set<String> windows = new java.util.HashSet<>();
		for (int i = 0; i < limits.size(); i++) {
			LimitSpec spec = limit(limits.get(i), property + "[" + i + "]");
			if (!windows.add(spec.algorithm() + "/" + spec.window())) {
				throw new RateLimitConfigurationException(property + "[" + i + "]",
						"the window " + spec + " is given twice", "Give each window once.");
			}
			specs.add(spec);
		}
		return List.copyOf(specs);
	}

	private LimitSpec limit(Limit limit, String property) {
		if (limit.getLimit() < 1) {
			throw new RateLimitConfigurationException(property + ".limit",
					"the limit must be at least 1, was " + limit.getLimit(),
					"Set a positive limit, e.g. 100/1h. To let a tier through without limits, set its unlimited: true.");
		}
		Duration window = limit.getWindow();
		if (window == null || window.toMillis() < 1) {
			throw new RateLimitConfigurationException(property + ".window",
					"the window must be at least 1ms, was " + window, "Set a window such as 30s, 1m, 1h or 1d.");
		}
		long burst = (limit.getBurst() != null) ? limit.getBurst() : limit.getLimit();
		if (burst < 1) {
			throw new RateLimitConfigurationException(property + ".burst", "the burst must be at least 1, was " + burst,
					"Set a positive burst, or leave it out to use the limit.");
		}
		if (limit.getBurst() != null && limit.getAlgorithm() != Algorithm.TOKEN_BUCKET) {
			throw new RateLimitConfigurationException(property + ".burst",
					"burst applies to token-bucket only, not " + limit.getAlgorithm(),
					"Remove the burst, or use algorithm token-bucket.");
		}
		if (limit.getAlgorithm() == Algorithm.SLIDING_LOG && limit.getLimit() > MAX_SLIDING_LOG_LIMIT) {
			throw new RateLimitConfigurationException(property + ".limit",
					"a sliding log keeps one entry per request, and " + limit.getLimit() + " is more than "
							+ MAX_SLIDING_LOG_LIMIT,
					"Use sliding-window or token-bucket for large limits.");
		}
		return new LimitSpec(limit.getLimit(), window, limit.getAlgorithm(), burst);
	}

	private List<EndpointRule> endpointRules(RateLimitProperties properties, Map<String, OperationPolicy> operations) {
		List<EndpointRule> rules = new ArrayList<>();
		properties.getOperations().forEach((boundName, operation) -> {
			OperationPolicy policy = operations.get(Names.canonical(boundName));
			List<String> match = operation.getMatch();
			for (int i = 0; i < match.size(); i++) {
				rules.add(endpointRule(match.get(i), policy,
						PREFIX + "operations." + policy.name() + ".match[" + i + "]"));
			}
		});
		return rules;
	}

	private EndpointRule endpointRule(String rule, OperationPolicy operation, String property) {
		String[] parts = rule.trim().split("\\s+");
		String method = (parts.length == 2) ? parts[0].toUpperCase(Locale.ROOT) : null;
		String path = parts[parts.length - 1];
		if (parts.length > 2 || (method != null && !HTTP_METHODS.contains(method))) {
			throw new RateLimitConfigurationException(property, "'" + rule + "' is not a path rule",
					"Write \"METHOD /path\" (e.g. \"POST /projects/validate\") or \"/path\" for any method; "
							+ "methods are " + names(HTTP_METHODS.stream().sorted().toList()) + ".");
		}
		return new EndpointRule(method, pattern(path, property), operation);
	}

	private List<PathPattern> exclusions(RateLimitProperties properties) {
		List<PathPattern> exclusions = new ArrayList<>();
		for (int i = 0; i < properties.getExclude().size(); i++) {
			exclusions.add(pattern(properties.getExclude().get(i), PREFIX + "exclude[" + i + "]"));
		}
		return exclusions;
	}

	private PathPattern pattern(String path, String property) {
		if (!path.startsWith("/")) {
			throw new RateLimitConfigurationException(property, "the path '" + path + "' does not start with /",
					"Write the path from the application root, e.g. /projects/validate.");
		}
		try {
			return this.parser.parse(path);
		}
		catch (PatternParseException ex) {
			throw new RateLimitConfigurationException(property,
					"'" + path + "' is not a valid path pattern: " + ex.getMessage(),
					"Use Spring's PathPattern syntax, e.g. /generations/{id}/files or /api/**.");
		}
	}

	private static <T> void putUnique(Map<String, T> map, T value, String property) {
		String canonical = Names.canonical(property.substring(property.lastIndexOf('.') + 1));
		if (map.put(canonical, value) != null) {
			throw duplicate(property);
		}
	}

	private static RateLimitConfigurationException duplicate(String property) {
		return new RateLimitConfigurationException(property,
				"two names differ only in case or punctuation and so name the same thing",
				"Names are compared ignoring case and every character but letters and digits; rename one of them.");
	}

	private static String names(List<String> names) {
		return names.isEmpty() ? "none" : String.join(", ", names);
	}

}
