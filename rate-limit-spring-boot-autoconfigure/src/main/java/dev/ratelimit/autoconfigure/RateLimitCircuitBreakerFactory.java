package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.Optional;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Creates the circuit breaker named {@value #NAME} that guards the Redis limiter.
 * <p>
 * When the application has a {@link CircuitBreakerRegistry} (resilience4j's Spring Boot
 * module creates one) the breaker lives there, so that resilience4j's own health, metrics
 * and endpoints show it: an instance the registry already has (configured through the
 * module) is used as it is; otherwise it is added with the configuration below. Without a
 * registry the breaker is created alone.
 * <p>
 * The configuration is {@link CircuitBreakerProperties} ({@value #PREFIX}.*). The keys of
 * earlier versions, {@value #DEPRECATED_PREFIX}.*, still apply where the new ones are not
 * set. A stall or a broken connection opens the breaker at once whatever these settings
 * say (see {@code ResilientRateLimiter}).
 *
 * @author rate-limit-spring-boot
 */
final class RateLimitCircuitBreakerFactory {

	/** The name of the breaker. */
	static final String NAME = "ratelimit";

	/** Where its configuration is read from. */
	static final String PREFIX = "rate-limit.circuit-breaker";

	/** Where its configuration was read from before {@link #PREFIX}. */
	static final String DEPRECATED_PREFIX = "resilience4j.circuitbreaker.instances." + NAME;

	private static final Log logger = LogFactory.getLog(RateLimitCircuitBreakerFactory.class);

	private final CircuitBreakerProperties properties;

	private final Binder binder;

	private final @Nullable CircuitBreakerRegistry registry;

	/**
	 * Create a factory.
	 * @param properties the settings bound from {@value #PREFIX}
	 * @param binder reads the deprecated keys
	 * @param registry the application's registry, if any
	 */
	RateLimitCircuitBreakerFactory(CircuitBreakerProperties properties, Binder binder,
			@Nullable CircuitBreakerRegistry registry) {
		this.properties = properties;
		this.binder = binder;
		this.registry = registry;
	}

	/**
	 * The breaker: the registry's instance, or a new one.
	 * @return the breaker
	 * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
	 * when a value is out of range
	 */
	CircuitBreaker create() {
		if (this.registry != null) {
			Optional<CircuitBreaker> configured = this.registry.find(NAME);
			return configured.orElseGet(() -> this.registry.circuitBreaker(NAME, config()));
		}
		return CircuitBreaker.of(NAME, config());
	}

	/**
	 * The configuration from the properties.
	 * @return the configuration
	 * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
	 * when a value is out of range
	 */
	CircuitBreakerConfig config() {
		boolean deprecated = usesDeprecatedKeys();
		CircuitBreakerProperties settings = deprecated ? withDeprecatedKeys() : this.properties;
		Validation check = new Validation(this.binder, deprecated);
		check.atLeast("sliding-window-size", settings.getSlidingWindowSize(), 1);
		check.atLeast("minimum-number-of-calls", settings.getMinimumNumberOfCalls(), 1);
		check.atLeast("permitted-number-of-calls-in-half-open-state",
				settings.getPermittedNumberOfCallsInHalfOpenState(), 1);
		check.percentage("failure-rate-threshold", settings.getFailureRateThreshold());
		check.percentage("slow-call-rate-threshold", settings.getSlowCallRateThreshold());
		check.atLeast("wait-duration-in-open-state", settings.getWaitDurationInOpenState(), Duration.ofMillis(1));
		check.atLeast("slow-call-duration-threshold", settings.getSlowCallDurationThreshold(), Duration.ofNanos(1));
		check.atLeast("max-wait-duration-in-half-open-state", settings.getMaxWaitDurationInHalfOpenState(),
				Duration.ZERO);
		try {
			return CircuitBreakerConfig.custom()
				.slidingWindow(settings.getSlidingWindowSize(), settings.getMinimumNumberOfCalls(),
						SlidingWindowType.valueOf(settings.getSlidingWindowType().name()))
				.failureRateThreshold(settings.getFailureRateThreshold())
				.slowCallRateThreshold(settings.getSlowCallRateThreshold())
				.slowCallDurationThreshold(settings.getSlowCallDurationThreshold())
				.waitDurationInOpenState(settings.getWaitDurationInOpenState())
				.permittedNumberOfCallsInHalfOpenState(settings.getPermittedNumberOfCallsInHalfOpenState())
				.maxWaitDurationInHalfOpenState(settings.getMaxWaitDurationInHalfOpenState())
				.automaticTransitionFromOpenToHalfOpenEnabled(settings.isAutomaticTransitionFromOpenToHalfOpenEnabled())
				.build();
		}
		catch (IllegalArgumentException ex) {
			throw InvalidRateLimitProperty.of(deprecated ? DEPRECATED_PREFIX : PREFIX, null, ex.getMessage(),
					"Fix the circuit breaker settings, or remove them to use the defaults.");
		}
	}

	private boolean usesDeprecatedKeys() {
		return this.binder.bind(DEPRECATED_PREFIX, Bindable.of(CircuitBreakerProperties.class)).isBound();
	}

	/**
	 * The deprecated keys, overridden by the keys of {@link #PREFIX} that are set.
	 */
	private CircuitBreakerProperties withDeprecatedKeys() {
		logger.warn("The rate limiter's circuit breaker is configured under " + DEPRECATED_PREFIX
				+ ".*, which is deprecated; use " + PREFIX + ".* instead");
		CircuitBreakerProperties settings = new CircuitBreakerProperties();
		this.binder.bind(DEPRECATED_PREFIX, Bindable.ofInstance(settings));
		this.binder.bind(PREFIX, Bindable.ofInstance(settings));
		return settings;
	}

	/**
	 * Range checks that name the key the value came from.
	 */
	private static final class Validation {

		private final Binder binder;

		private final boolean deprecated;

		Validation(Binder binder, boolean deprecated) {
			this.binder = binder;
			this.deprecated = deprecated;
		}

		void atLeast(String key, long value, long minimum) {
			if (value < minimum) {
				throw InvalidRateLimitProperty.of(property(key), value,
						"must be at least " + minimum + ", was " + value, "Set a value of at least " + minimum + ".");
			}
		}

		void atLeast(String key, Duration value, Duration minimum) {
			if (value.compareTo(minimum) < 0) {
				throw InvalidRateLimitProperty.of(property(key), value,
						"must be at least " + minimum + ", was " + value,
						"Set a duration of at least " + minimum + ".");
			}
		}

		void percentage(String key, float value) {
			if (!(value > 0 && value <= 100)) {
				throw InvalidRateLimitProperty.of(property(key), value,
						"must be a percentage greater than 0 and at most 100, was " + value, "Set a value such as 50.");
			}
		}

		/**
		 * The key the value came from: the deprecated one when only it is set.
		 */
		private String property(String key) {
			String property = PREFIX + "." + key;
			if (this.deprecated && !this.binder.bind(property, Bindable.of(String.class)).isBound()) {
				return DEPRECATED_PREFIX + "." + key;
			}
			return property;
		}

	}

}
