package dev.ratelimit.autoconfigure;

import java.util.function.Predicate;

import dev.ratelimit.policy.Names;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Creates the {@link InvalidConfigurationPropertyValueException} for a rate limit
 * property that is wrong, so that Boot's failure analysis reports it with the file and
 * line where it is set.
 * <p>
 * Boot finds the origin by the name a property has in its source. Map keys and list
 * entries are written in several ways ({@code limits.ai_generation: 5/1h, 20/1d} is one
 * property for what is validated as {@code limits.ai_generation[0]} and {@code [1]}), so
 * the name given is matched against the names in the environment's sources, ignoring case
 * and punctuation: the property itself, else the first one set beneath it, else the
 * nearest one above it.
 *
 * @author rate-limit-spring-boot
 */
final class InvalidRateLimitProperty {

	private final @Nullable ConfigurableEnvironment environment;

	private InvalidRateLimitProperty(@Nullable ConfigurableEnvironment environment) {
		this.environment = environment;
	}

	/**
	 * Report properties by the names they are validated as, without looking at their
	 * sources.
	 * @return an instance that looks up no origin
	 */
	static InvalidRateLimitProperty unlocated() {
		return new InvalidRateLimitProperty(null);
	}

	/**
	 * Report properties by the names they have in the environment's sources.
	 * @param environment the environment
	 * @return an instance that looks up origins in the environment
	 */
	static InvalidRateLimitProperty in(Environment environment) {
		return new InvalidRateLimitProperty(
				(environment instanceof ConfigurableEnvironment configurable) ? configurable : null);
	}

	/**
	 * The exception for a property that is wrong, named as it is validated and without
	 * looking up where it is set.
	 * @param property the property
	 * @param value the value
	 * @param problem what is wrong
	 * @param action how to fix it
	 * @return the exception to throw
	 */
	static InvalidConfigurationPropertyValueException of(String property, @Nullable Object value, String problem,
			String action) {
		return unlocated().invalid(property, value, problem, action);
	}

	/**
	 * The exception for a property that is wrong.
	 * @param property the property, as validated, e.g.
	 * {@code rate-limit.tiers.free.limits.api_requests[0].limit}
	 * @param value the value as bound, reported when the property is not found in a
	 * source
	 * @param problem what is wrong
	 * @param action how to fix it
	 * @return the exception to throw
	 */
	InvalidConfigurationPropertyValueException invalid(String property, @Nullable Object value, String problem,
			String action) {
		Located located = locate(property);
		String reason = (located.name().equals(property) ? "" : property + ": ") + problem
				+ (problem.endsWith(".") ? " " : ". ") + action;
		return new InvalidConfigurationPropertyValueException(located.name(),
				(located.value() != null) ? located.value() : value, reason);
	}

	private Located locate(String property) {
		ConfigurationPropertyName name = ConfigurationPropertyName.adapt(property, '.');
		if (this.environment == null || name.isEmpty()) {
			return new Located(property, null);
		}
		Located located = find((candidate) -> sameName(candidate, name));
		if (located == null) {
			located = find((candidate) -> candidate.getNumberOfElements() > name.getNumberOfElements()
					&& sameName(candidate.chop(name.getNumberOfElements()), name));
		}
		// Stop above the prefix: every rate limit property is beneath it.
		for (int elements = name.getNumberOfElements() - 1; located == null && elements > 1; elements--) {
			ConfigurationPropertyName ancestor = name.chop(elements);
			located = find((candidate) -> sameName(candidate, ancestor));
		}
		return (located != null) ? located : new Located(property, null);
	}

	private @Nullable Located find(Predicate<ConfigurationPropertyName> matches) {
		for (PropertySource<?> source : this.environment.getPropertySources()) {
			if (source instanceof EnumerablePropertySource<?> enumerable) {
				for (String candidate : enumerable.getPropertyNames()) {
					if (matches.test(ConfigurationPropertyName.adapt(candidate, '.'))) {
						return new Located(candidate, enumerable.getProperty(candidate));
					}
				}
			}
		}
		return null;
	}

	private static boolean sameName(ConfigurationPropertyName candidate, ConfigurationPropertyName name) {
		if (candidate.getNumberOfElements() != name.getNumberOfElements()) {
			return false;
		}
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			if (!Names.canonical(candidate.getElement(i, Form.ORIGINAL))
				.equals(Names.canonical(name.getElement(i, Form.ORIGINAL)))) {
				return false;
			}
		}
		return true;
	}

	/**
	 * A property as named in a source, and its value there.
	 */
	private record Located(String name, @Nullable Object value) {
	}

}
