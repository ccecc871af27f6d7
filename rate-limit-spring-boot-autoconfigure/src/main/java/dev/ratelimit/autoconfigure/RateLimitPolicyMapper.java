package dev.ratelimit.autoconfigure;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.Money;
import dev.ratelimit.core.Windows;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.Names;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitConfigurationException;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.RateLimitPolicyBuilder;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Maps {@link RateLimitProperties} to the {@link RateLimitPolicy}, validating everything
 * so that configuration errors stop startup with the property name, where it is set and
 * the fix, never surface on a request.
 *
 * @author rate-limit-spring-boot
 */
final class RateLimitPolicyMapper {

	/**
	 * The largest limit of a sliding log, which keeps one entry per admitted unit.
	 */
	static final long MAX_SLIDING_LOG_LIMIT = 100_000;

	private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
			"TRACE");

	private static final String PREFIX = "rate-limit.";

	private static final Duration MIN_LEASE_TIMEOUT = Duration.ofSeconds(1);

	private final PathPatternParser parser = PathPatternParser.defaultInstance;

	private final ConfiguredNames names;

	private final InvalidRateLimitProperty invalid;

	/**
	 * Create a mapper.
	 * @param names the names as the user spelled them
	 * @param invalid creates the exceptions for invalid properties
	 */
	RateLimitPolicyMapper(ConfiguredNames names, InvalidRateLimitProperty invalid) {
		this.names = names;
		this.invalid = invalid;
	}

	/**
	 * Map and validate the properties.
	 * @param properties the properties
	 * @return the policy
	 * @throws InvalidConfigurationPropertyValueException when a property is invalid
	 */
	RateLimitPolicy toPolicy(RateLimitProperties properties) {
		budgetZone(properties);
		RateLimitPolicyBuilder builder = RateLimitPolicy.builder();
		Duration leaseTimeout = properties.getConcurrency().getLeaseTimeout();
		if (leaseTimeout == null || leaseTimeout.compareTo(MIN_LEASE_TIMEOUT) < 0) {
			throw this.invalid.invalid(PREFIX + "concurrency.lease-timeout", leaseTimeout,
					"the lease timeout must be at least 1s, was " + leaseTimeout,
					"Set a lease timeout of 1s or more, e.g. 30s: each instance renews its leases every third of it.");
		}
		builder.leaseTimeout(leaseTimeout);
		Set<String> operations = operations(properties, builder, leaseTimeout);
		Set<String> tiers = tiers(properties, builder, operations);
		if (!tiers.contains(Names.canonical(properties.getDefaultTier()))) {
			throw this.invalid.invalid(PREFIX + "default-tier", properties.getDefaultTier(),
					"tier '" + properties.getDefaultTier() + "' is not configured (configured: "
							+ names(properties.getTiers().keySet().stream().map(this.names::spelling).toList()) + ")",
					"Set rate-limit.default-tier to one of the configured tiers, or configure rate-limit.tiers."
							+ properties.getDefaultTier() + ".");
		}
		if (!operations.contains(Names.canonical(properties.getDefaultOperation()))) {
			throw this.invalid.invalid(PREFIX + "default-operation", properties.getDefaultOperation(),
					"operation '" + properties.getDefaultOperation() + "' is not configured (configured: "
							+ names(operationNames(properties)) + ")",
					"Set rate-limit.default-operation to a configured operation, or give it limits under "
							+ "rate-limit.tiers.<tier>.limits or rate-limit.operations.");
		}
		endpointRules(properties, builder);
		exclusions(properties, builder);
		RateLimitPolicy policy = builder.defaultTier(properties.getDefaultTier())
			.defaultOperation(properties.getDefaultOperation())
			.build();
		validateCosts(properties, policy);
		return policy;
	}

	private Set<String> operations(RateLimitProperties properties, RateLimitPolicyBuilder builder,
			Duration leaseTimeout) {
		Set<String> operations = new HashSet<>();
		properties.getOperations().forEach((boundName, operation) -> {
			String name = this.names.spelling(boundName);
			String property = PREFIX + "operations." + name;
			unique(operations, name, property, boundName);
			builder.operation(name, operation.getKey(), operation.getCost(),
					limits(operation.getLimits(), property + ".limits"),
					global(operation, property + ".global", leaseTimeout),
					budgets(operation.getBudgets(), property + ".budgets"), operation.isShadow());
		});
		return operations;
	}

	private List<LimitSpec> global(OperationProperties operation, String property, Duration leaseTimeout) {
		OperationProperties.Global global = operation.getGlobal();
		Integer concurrent = global.getConcurrent();
		if (global.getLimits().isEmpty() && concurrent == null && global.getBudgets().isEmpty()) {
			return List.of();
		}
		if (operation.getKey() == KeyType.GLOBAL) {
			throw this.invalid.invalid(property,
					(concurrent != null) ? concurrent
							: global.getLimits().isEmpty() ? global.getBudgets() : global.getLimits(),
					"the operation is keyed by global, so its limits already are everyone's",
					"Remove " + property + ", or key the operation by identity or ip.");
		}
		List<LimitSpec> limits = new ArrayList<>(limits(global.getLimits(), property + ".limits"));
		if (concurrent != null) {
			limits.add(concurrency(concurrent, property + ".concurrent", leaseTimeout));
		}
		limits.addAll(budgets(global.getBudgets(), property + ".budgets"));
		return List.copyOf(limits);
	}

	private LimitSpec concurrency(int concurrent, String property, Duration leaseTimeout) {
		if (concurrent < 1) {
			throw this.invalid.invalid(property, concurrent,
					"the number of requests in flight must be at least 1, was " + concurrent,
					"Set a positive number, or remove " + property + " for no concurrency limit.");
		}
		return LimitSpec.concurrency(concurrent, leaseTimeout);
	}

	private Set<String> tiers(RateLimitProperties properties, RateLimitPolicyBuilder builder, Set<String> operations) {
		Set<String> tiers = new HashSet<>();
		properties.getTiers().forEach((boundName, tier) -> {
			String name = this.names.spelling(boundName);
			String property = PREFIX + "tiers." + name;
			unique(tiers, name, property, boundName);
			if (tier.isUnlimited() && !tier.getLimits().isEmpty()) {
				throw this.invalid.invalid(property + ".limits", tier.getLimits().keySet(),
						"tier '" + name + "' is unlimited and also lists limits",
						"Remove " + property + ".limits, or set " + property + ".unlimited to false.");
			}
			if (tier.isUnlimited() && !tier.getConcurrent().isEmpty()) {
				throw this.invalid.invalid(property + ".concurrent", tier.getConcurrent().keySet(),
						"tier '" + name + "' is unlimited and also lists concurrency limits",
						"Remove " + property + ".concurrent, or set " + property + ".unlimited to false.");
			}
			Map<String, List<LimitSpec>> limits = tierLimits(tier, property);
			limits.keySet().forEach((operation) -> operations.add(Names.canonical(operation)));
			Map<String, LimitSpec> concurrent = tierConcurrent(tier, property,
					properties.getConcurrency().getLeaseTimeout());
			concurrent.keySet().forEach((operation) -> operations.add(Names.canonical(operation)));
			if (tier.isUnlimited() && !tier.getBudgets().isEmpty()) {
				throw this.invalid.invalid(property + ".budgets", tier.getBudgets().keySet(),
						"tier '" + name + "' is unlimited and also lists budgets",
						"Remove " + property + ".budgets, or set " + property + ".unlimited to false.");
			}
			Map<String, List<LimitSpec>> budgets = new LinkedHashMap<>();
			tier.getBudgets().forEach((operation, operationBudgets) -> {
				String operationName = this.names.spelling(operation);
				budgets.put(operationName, budgets(operationBudgets, property + ".budgets." + operationName));
				operations.add(Names.canonical(operation));
			});
			builder.tier(name, tier.isUnlimited(), tier.getUpgradeUrl(), limits, concurrent, budgets,
					burstAllowance(tier, name, property));
		});
		return tiers;
	}

	private @Nullable LimitSpec burstAllowance(TierProperties tier, String name, String property) {
		String notation = tier.getBurstAllowance();
		if (notation == null) {
			return null;
		}
		String allowanceProperty = property + ".burst-allowance";
		if (tier.isUnlimited()) {
			throw this.invalid.invalid(allowanceProperty, notation,
					"tier '" + name + "' is unlimited and also has a burst allowance",
					"Remove " + allowanceProperty + ", or set " + property + ".unlimited to false.");
		}
		LimitProperties parsed;
		try {
			parsed = LimitNotation.parse(notation);
		}
		catch (IllegalArgumentException ex) {
			throw this.invalid.invalid(allowanceProperty, notation, ex.getMessage(),
					"Write how many more requests per window, e.g. 2/5m.");
		}
		if (notation.trim().contains(" ")) {
			throw this.invalid.invalid(allowanceProperty, notation,
					"a burst allowance counts per calendar-aligned window and takes no algorithm",
					"Write how many more requests per window, e.g. 2/5m.");
		}
		if (parsed.getLimit() < 1 || parsed.getWindow() == null || parsed.getWindow().toMillis() < 1) {
			throw this.invalid.invalid(allowanceProperty, notation,
					"a burst allowance needs at least 1 request per window of at least 1ms",
					"Write how many more requests per window, e.g. 2/5m, or remove " + allowanceProperty + ".");
		}
		return LimitSpec.burstAllowance(parsed.getLimit(), parsed.getWindow());
	}

	private Map<String, List<LimitSpec>> tierLimits(TierProperties tier, String property) {
		Map<String, List<LimitSpec>> limits = new LinkedHashMap<>();
		Set<String> operations = new HashSet<>();
		tier.getLimits().forEach((boundName, operationLimits) -> {
			String name = this.names.spelling(boundName);
			String operationProperty = property + ".limits." + name;
			unique(operations, name, operationProperty, boundName);
			List<LimitSpec> specs = limits(operationLimits, operationProperty);
			if (specs.isEmpty()) {
				throw this.invalid.invalid(operationProperty, "", "no limit is given",
						"Give at least one limit, e.g. 100/1h, or remove the entry.");
			}
			limits.put(name, specs);
		});
		return limits;
	}

	private Map<String, LimitSpec> tierConcurrent(TierProperties tier, String property, Duration leaseTimeout) {
		Map<String, LimitSpec> concurrent = new LinkedHashMap<>();
		Set<String> operations = new HashSet<>();
		tier.getConcurrent().forEach((boundName, value) -> {
			String name = this.names.spelling(boundName);
			String operationProperty = property + ".concurrent." + name;
			unique(operations, name, operationProperty, boundName);
			if (value == null) {
				throw this.invalid.invalid(operationProperty, "", "no number is given",
						"Give the number of requests in flight per caller, e.g. 3, or remove the entry.");
			}
			concurrent.put(name, concurrency(value, operationProperty, leaseTimeout));
		});
		return concurrent;
	}

	/**
	 * Check that the zone of calendar windows exists.
	 * @param properties the properties
	 * @return the zone
	 */
	ZoneId budgetZone(RateLimitProperties properties) {
		String zone = properties.getBudgets().getZone();
		try {
			return ZoneId.of(zone);
		}
		catch (DateTimeException ex) {
			throw this.invalid.invalid(PREFIX + "budgets.zone", zone, "'" + zone + "' is not a time zone",
					"Set a zone id such as UTC, Europe/Berlin or America/New_York.");
		}
	}

	private List<LimitSpec> budgets(Map<String, String> budgets, String property) {
		List<LimitSpec> specs = new ArrayList<>(budgets.size());
		Set<String> seen = new HashSet<>();
		budgets.forEach((boundName, notation) -> {
			String name = this.names.spelling(boundName);
			String budgetProperty = property + "." + name;
			unique(seen, name, budgetProperty, notation);
			specs.add(budget(Names.canonical(name), notation, budgetProperty));
		});
		return List.copyOf(specs);
	}

	private LimitSpec budget(String name, @Nullable String notation, String property) {
		String text = (notation != null) ? notation.trim() : "";
		int slash = text.indexOf('/');
		if (slash < 1) {
			throw this.invalid.invalid(property, notation, "'" + text + "' is not a budget",
					"Write an amount per window, e.g. 5.00/1d, 20/1mo or 0.50/1h.");
		}
		BigDecimal amount;
		try {
			amount = new BigDecimal(text.substring(0, slash).trim());
		}
		catch (NumberFormatException ex) {
			throw this.invalid.invalid(property, notation, "'" + text.substring(0, slash) + "' is not a decimal amount",
					"Write the amount as a decimal number, e.g. 5.00/1d.");
		}
		if (amount.signum() <= 0) {
			throw this.invalid.invalid(property, notation, "a budget must be more than zero, was " + amount,
					"Set a positive amount, or remove " + property + " for no budget.");
		}
		if (amount.stripTrailingZeros().scale() > Money.SCALE) {
			throw this.invalid.invalid(
					property, notation, "the amount " + amount.toPlainString() + " has more decimals than the "
							+ Money.SCALE + " budgets are stored with",
					"Give the amount with at most " + Money.SCALE + " decimals.");
		}
		long micros;
		try {
			micros = Money.toMicros(amount.stripTrailingZeros());
		}
		catch (ArithmeticException ex) {
			throw this.invalid.invalid(property, notation,
					"the amount " + amount.toPlainString() + " is more than the largest budget, "
							+ Money.ofMicros(Money.MAX_MICROS).toPlainString(),
					"Set a smaller amount: budgets are exact integers of micro-units up to 2^53.");
		}
		String window = text.substring(slash + 1).trim();
		return LimitSpec.budget(name, micros, budgetWindow(window, notation, property));
	}

	private Duration budgetWindow(String window, @Nullable String notation, String property) {
		if (window.equals("1mo")) {
			return Windows.MONTH;
		}
		Duration duration;
		try {
			duration = DurationStyle.SIMPLE.parse(window);
		}
		catch (IllegalArgumentException ex) {
			duration = null;
		}
		if (duration == null || duration.toMillis() < 1) {
			throw this.invalid.invalid(property, notation, "'" + window + "' is not a window of a budget",
					"Use 1mo (a calendar month), a number of days such as 1d (calendar days in "
							+ "rate-limit.budgets.zone), or a duration such as 1h.");
		}
		return duration;
	}

	/**
	 * Map and validate limits.
	 * @param limits the limits as bound
	 * @param property the property they are bound from
	 * @return the limits
	 */
	List<LimitSpec> limits(List<LimitProperties> limits, String property) {
		List<LimitSpec> specs = new ArrayList<>(limits.size());
		Set<String> windows = new HashSet<>();
		for (int i = 0; i < limits.size(); i++) {
			LimitSpec spec = limit(limits.get(i), property + "[" + i + "]");
			if (!windows.add(spec.algorithm() + "/" + spec.window())) {
				throw this.invalid.invalid(property + "[" + i + "]", spec, "the window " + spec + " is given twice",
						"Give each window once.");
			}
			specs.add(spec);
		}
		return List.copyOf(specs);
	}

	private LimitSpec limit(LimitProperties limit, String property) {
		if (limit.getLimit() < 1) {
			throw this.invalid.invalid(property + ".limit", limit.getLimit(),
					"the limit must be at least 1, was " + limit.getLimit(),
					"Set a positive limit, e.g. 100/1h. To let a tier through without limits, set its unlimited: true.");
		}
		Duration window = limit.getWindow();
		if (window == null || window.toMillis() < 1) {
			throw this.invalid.invalid(property + ".window", window, "the window must be at least 1ms, was " + window,
					"Set a window such as 30s, 1m, 1h or 1d.");
		}
		long burst = (limit.getBurst() != null) ? limit.getBurst() : limit.getLimit();
		if (burst < 1) {
			throw this.invalid.invalid(property + ".burst", burst, "the burst must be at least 1, was " + burst,
					"Set a positive burst, or leave it out to use the limit.");
		}
		if (limit.getBurst() != null && limit.getAlgorithm() != Algorithm.TOKEN_BUCKET) {
			throw this.invalid.invalid(property + ".burst", limit.getBurst(),
					"burst applies to token-bucket only, not " + limit.getAlgorithm(),
					"Remove the burst, or use algorithm token-bucket.");
		}
		if (limit.getAlgorithm() == Algorithm.CONCURRENCY) {
			throw this.invalid.invalid(property + ".algorithm", limit.getAlgorithm().notation(),
					"concurrency is not the algorithm of a rate limit",
					"Configure requests in flight with rate-limit.tiers.<tier>.concurrent.<operation> or "
							+ "rate-limit.operations.<operation>.global.concurrent.");
		}
		if (limit.getAlgorithm() == Algorithm.SLIDING_LOG && limit.getLimit() > MAX_SLIDING_LOG_LIMIT) {
			throw this.invalid.invalid(
					property + ".limit", limit.getLimit(), "a sliding log keeps one entry per request, and "
							+ limit.getLimit() + " is more than " + MAX_SLIDING_LOG_LIMIT,
					"Use sliding-window or token-bucket for large limits.");
		}
		return new LimitSpec(limit.getLimit(), window, limit.getAlgorithm(), burst);
	}

	private void endpointRules(RateLimitProperties properties, RateLimitPolicyBuilder builder) {
		properties.getOperations().forEach((boundName, operation) -> {
			String name = this.names.spelling(boundName);
			List<String> match = operation.getMatch();
			for (int i = 0; i < match.size(); i++) {
				endpointRule(match.get(i), name, PREFIX + "operations." + name + ".match[" + i + "]", builder);
			}
		});
	}

	private void endpointRule(String rule, String operation, String property, RateLimitPolicyBuilder builder) {
		String[] parts = rule.trim().split("\\s+");
		String method = (parts.length == 2) ? parts[0].toUpperCase(Locale.ROOT) : null;
		String path = parts[parts.length - 1];
		if (parts.length > 2 || (method != null && !HTTP_METHODS.contains(method))) {
			throw this.invalid.invalid(property, rule, "'" + rule + "' is not a path rule",
					"Write \"METHOD /path\" (e.g. \"POST /projects/validate\") or \"/path\" for any method; "
							+ "methods are " + names(HTTP_METHODS.stream().sorted().toList()) + ".");
		}
		builder.endpointRule(method, pattern(path, property), operation);
	}

	private void exclusions(RateLimitProperties properties, RateLimitPolicyBuilder builder) {
		for (int i = 0; i < properties.getExclude().size(); i++) {
			builder.exclude(pattern(properties.getExclude().get(i), PREFIX + "exclude[" + i + "]"));
		}
	}

	private PathPattern pattern(String path, String property) {
		if (!path.startsWith("/")) {
			throw this.invalid.invalid(property, path, "the path '" + path + "' does not start with /",
					"Write the path from the application root, e.g. /projects/validate.");
		}
		try {
			return this.parser.parse(path);
		}
		catch (PatternParseException ex) {
			throw this.invalid.invalid(property, path, "'" + path + "' is not a valid path pattern: " + ex.getMessage(),
					"Use Spring's PathPattern syntax, e.g. /generations/{id}/files or /api/**.");
		}
	}

	private void validateCosts(RateLimitProperties properties, RateLimitPolicy policy) {
		properties.getOperations().forEach((boundName, operation) -> {
			OperationPolicy resolved = policy.operation(boundName);
			String property = PREFIX + "operations." + this.names.spelling(boundName) + ".cost";
			try {
				policy.validateCost(resolved, operation.getCost(), property);
			}
			catch (RateLimitConfigurationException ex) {
				throw this.invalid.invalid(property, operation.getCost(), ex.getProblem(), ex.getAction());
			}
		});
	}

	private void unique(Set<String> seen, String name, String property, @Nullable Object value) {
		if (!seen.add(Names.canonical(name))) {
			throw this.invalid.invalid(property, value,
					"two names differ only in case or punctuation and so name the same thing",
					"Names are compared ignoring case and every character but letters and digits; rename one of them.");
		}
	}

	private List<String> operationNames(RateLimitProperties properties) {
		List<String> operations = new ArrayList<>();
		properties.getOperations().keySet().forEach((name) -> operations.add(this.names.spelling(name)));
		properties.getTiers().values().forEach((tier) -> tier.getLimits().keySet().forEach((name) -> {
			String spelling = this.names.spelling(name);
			if (operations.stream().noneMatch((known) -> Names.canonical(known).equals(Names.canonical(name)))) {
				operations.add(spelling);
			}
		}));
		return operations;
	}

	private static String names(Iterable<String> names) {
		String joined = String.join(", ", names);
		return joined.isEmpty() ? "none" : joined;
	}

}
