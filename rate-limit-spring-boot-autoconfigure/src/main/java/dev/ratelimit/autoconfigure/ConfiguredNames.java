package dev.ratelimit.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import dev.ratelimit.policy.Names;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * The tier and operation names as the user spelled them. The binder hands over map keys
 * without characters such as {@code _}, so the original spelling ({@code ai_generation},
 * not {@code aigeneration}) is read back from the property names, to show users their own
 * names in problem bodies, headers and metrics.
 *
 * @author rate-limit-spring-boot
 */
final class ConfiguredNames {

	private static final String TIERS = "rate-limit.tiers.";

	private static final String OPERATIONS = "rate-limit.operations.";

	private static final String USERS = "rate-limit.users[";

	private static final String LIMITS = ".limits.";

	private final Map<String, String> spellings;

	private ConfiguredNames(Map<String, String> spellings) {
		this.spellings = spellings;
	}

	/**
	 * No known spellings: names are shown as bound.
	 * @return names that show every name as bound
	 */
	static ConfiguredNames none() {
		return new ConfiguredNames(Map.of());
	}

	/**
	 * Read the spellings from every enumerable property source of the environment.
	 * @param environment the environment
	 * @return the names
	 */
	static ConfiguredNames from(Environment environment) {
		Map<String, String> spellings = new HashMap<>();
		if (environment instanceof ConfigurableEnvironment configurable) {
			for (PropertySource<?> source : configurable.getPropertySources()) {
				if (source instanceof EnumerablePropertySource<?> enumerable) {
					for (String name : enumerable.getPropertyNames()) {
						collect(name, spellings);
					}
				}
			}
		}
		return new ConfiguredNames(spellings);
	}

	private static void collect(String propertyName, Map<String, String> spellings) {
		if (propertyName.startsWith(OPERATIONS)) {
			remember(segment(propertyName, OPERATIONS.length()), spellings);
		}
		else if (propertyName.startsWith(USERS)) {
			int limits = propertyName.indexOf(LIMITS, USERS.length());
			if (limits > 0) {
				remember(segment(propertyName, limits + LIMITS.length()), spellings);
			}
		}
		else if (propertyName.startsWith(TIERS)) {
			String tier = segment(propertyName, TIERS.length());
			remember(tier, spellings);
			int limits = propertyName.indexOf(LIMITS, TIERS.length());
			if (limits > 0) {
				remember(segment(propertyName, limits + LIMITS.length()), spellings);
			}
		}
	}

	private static String segment(String name, int start) {
		int end = start;
		if (end < name.length() && name.charAt(end) == '[') {
			int close = name.indexOf(']', end);
			return (close > 0) ? name.substring(end + 1, close) : name.substring(end + 1);
		}
		while (end < name.length() && name.charAt(end) != '.' && name.charAt(end) != '[') {
			end++;
		}
		return name.substring(start, end);
	}

	private static void remember(String spelling, Map<String, String> spellings) {
		if (!spelling.isEmpty()) {
			spellings.putIfAbsent(Names.canonical(spelling), spelling);
		}
	}

	/**
	 * The user's spelling of a bound name.
	 * @param boundName the name as bound
	 * @return the spelling from the configuration, or the bound name
	 */
	String spelling(String boundName) {
		return this.spellings.getOrDefault(Names.canonical(boundName), boundName);
	}

}
