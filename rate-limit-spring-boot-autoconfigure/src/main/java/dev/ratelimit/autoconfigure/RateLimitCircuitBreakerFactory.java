package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.Optional;

import dev.ratelimit.policy.RateLimitConfigurationException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Binder;

/**
 * Creates the circuit breaker named {@value #NAME} that guards the Redis limiter.
 * <p>
 * When the application has a {@link CircuitBreakerRegistry} (resilience4j's Spring Boot module
 * creates one) the breaker lives there, so that resilience4j's own health, metrics and endpoints
 * show it: an instance the registry already has (configured through the module) is used as it
 * is; otherwise it is added with the configuration below. Without a registry the breaker is
 * created alone.
 * <p>
 * The configuration is read from the keys resilience4j's Spring Boot module uses,
 * {@code resilience4j.circuitbreaker.instances.ratelimit.*}, with defaults for a rate limiter:
 * leave Redis after a few failed calls, try it again after seconds, and never for slow answers
 * alone (a busy machine is not an outage). A stall or a broken connection opens it at once
 * whatever these settings say (see {@code ResilientRateLimiter}).
 *
 * @author rate-limit-spring-boot
 */
final class RateLimitCircuitBreakerFactory {

	/** The name of the breaker. */
	static final String NAME = "ratelimit";

	/** Where its configuration is read from. */
	static final String PREFIX = "resilience4j.circuitbreaker.instances." + NAME;

	private final Binder binder;

	private final @Nullable CircuitBreakerRegistry registry;

	/**
	 * Create a factory.
	 * @param binder reads the configuration
	 * @param registry the application's registry, if any
	 */
	RateLimitCircuitBreakerFactory(Binder binder, @Nullable CircuitBreakerRegistry registry) {
		this.binder = binder;
		this.registry = registry;
	}

	/**
	 * The breaker: the registry's instance, or a new one.
	 * @return the breaker
	 * @throws RateLimitConfigurationException when a value is out of range
	 */
	CircuitBreaker create() {
		if (this.registry != null) {
			Optional<CircuitBreaker> configured = this.registry.find(NAME);
			return configured.orElseGet(() -> this.registry.circuitBreaker(NAME, config()));
		}
		return CircuitBreaker.of(NAME, config());
	}

	/**
	 * The configuration from the properties, with the defaults of {@link Settings}.
	 * @return the configuration
	 * @throws RateLimitConfigurationException when a value is out of range
	 */
	CircuitBreakerConfig config() {
		Settings settings = this.binder.bind(PREFIX, Settings.class).orElseGet(Settings::new);
		Duration slowCallDurationThreshold = settings.getSlowCallDurationThreshold();
		atLeast("sliding-window-size", settings.getSlidingWindowSize(), 1);
		atLeast("minimum-number-of-calls", settings.getMinimumNumberOfCalls(), 1);
		atLeast("permitted-number-of-calls-in-half-open-state", settings.getPermittedNumberOfCallsInHalfOpenState(),
				1);
		percentage("failure-rate-threshold", settings.getFailureRateThreshold());
		percentage("slow-call-rate-threshold", settings.getSlowCallRateThreshold());
		atLeast("wait-duration-in-open-state", settings.getWaitDurationInOpenState(), Duration.ofMillis(1));
		atLeast("slow-call-duration-threshold", slowCallDurationThreshold, Duration.ofNanos(1));
		atLeast("max-wait-duration-in-half-open-state", settings.getMaxWaitDurationInHalfOpenState(), Duration.ZERO);
		try {
			return CircuitBreakerConfig.custom()
				.slidingWindow(settings.getSlidingWindowSize(), settings.getMinimumNumberOfCalls(),
						settings.getSlidingWindowType())
				.failureRateThreshold(settings.getFailureRateThreshold())
				.slowCallRateThreshold(settings.getSlowCallRateThreshold())
				.slowCallDurationThreshold(slowCallDurationThreshold)
				.waitDurationInOpenState(settings.getWaitDurationInOpenState())
				.permittedNumberOfCallsInHalfOpenState(settings.getPermittedNumberOfCallsInHalfOpenState())
				.maxWaitDurationInHalfOpenState(settings.getMaxWaitDurationInHalfOpenState())
				.automaticTransitionFromOpenToHalfOpenEnabled(
						settings.isAutomaticTransitionFromOpenToHalfOpenEnabled())
				.build();
		}
		catch (IllegalArgumentException ex) {
			throw new RateLimitConfigurationException(PREFIX, ex.getMessage(),
					"Fix the circuit breaker settings, or remove them to use the defaults.");
		}
	}

	private static void atLeast(String key, long value, long minimum) {
		if (value < minimum) {
			throw new RateLimitConfigurationException(PREFIX + "." + key, "must be at least " + minimum + ", was "
					+ value, "Set a value of at least " + minimum + ".");
		}
	}

	private static void atLeast(String key, Duration value, Duration minimum) {
		if (value.compareTo(minimum) < 0) {
			throw new RateLimitConfigurationException(PREFIX + "." + key,
					"must be at least " + minimum + ", was " + value, "Set a duration of at least " + minimum + ".");
		}
	}

	private static void percentage(String key, float value) {
		if (!(value > 0 && value <= 100)) {
			throw new RateLimitConfigurationException(PREFIX + "." + key,
					"must be a percentage greater than 0 and at most 100, was " + value, "Set a value such as 50.");
		}
	}

	/**
	 * The keys of one resilience4j circuit breaker instance that apply to the rate limiter, with
	 * the rate limiter's defaults.
	 */
	public static class Settings {

		/**
		 * Whether the failure rate is computed over the last calls (count-based) or the last
		 * seconds (time-based).
		 */
		private SlidingWindowType slidingWindowType = SlidingWindowType.COUNT_BASED;

		/**
		 * Number of calls, or seconds, the failure rate is computed over.
		 */
		private int slidingWindowSize = 10;

		/**
		 * Fewest calls in the window before the failure rate counts.
		 */
		private int minimumNumberOfCalls = 5;

		/**
		 * Percentage of failed calls at which the breaker opens.
		 */
		private float failureRateThreshold = 50;

		/**
		 * Percentage of slow calls at which the breaker opens.
		 */
		private float slowCallRateThreshold = 100;

		/**
		 * Duration from which an answer counts as slow. A slow answer on a live connection is
		 * load, not an outage, so the default is resilience4j's own, a minute: in practice only
		 * failures and stalls open the breaker.
		 */
		private Duration slowCallDurationThreshold = Duration.ofSeconds(60);

		/**
		 * How long the breaker stays open before letting probes through.
		 */
		private Duration waitDurationInOpenState = Duration.ofSeconds(5);

		/**
		 * Number of probe calls let through while half open.
		 */
		private int permittedNumberOfCallsInHalfOpenState = 3;

		/**
		 * Longest the breaker stays half open before opening again; 0 waits for the probes.
		 */
		private Duration maxWaitDurationInHalfOpenState = Duration.ZERO;

		/**
		 * Whether a timer moves an open breaker to half open, rather than the next call.
		 */
		private boolean automaticTransitionFromOpenToHalfOpenEnabled;

		public SlidingWindowType getSlidingWindowType() {
			return this.slidingWindowType;
		}

		public void setSlidingWindowType(SlidingWindowType slidingWindowType) {
			this.slidingWindowType = slidingWindowType;
		}

		public int getSlidingWindowSize() {
			return this.slidingWindowSize;
		}

		public void setSlidingWindowSize(int slidingWindowSize) {
			this.slidingWindowSize = slidingWindowSize;
		}

		public int getMinimumNumberOfCalls() {
			return this.minimumNumberOfCalls;
		}

		public void setMinimumNumberOfCalls(int minimumNumberOfCalls) {
			this.minimumNumberOfCalls = minimumNumberOfCalls;
		}

		public float getFailureRateThreshold() {
			return this.failureRateThreshold;
		}

		public void setFailureRateThreshold(float failureRateThreshold) {
			this.failureRateThreshold = failureRateThreshold;
		}

		public float getSlowCallRateThreshold() {
			return this.slowCallRateThreshold;
		}

		public void setSlowCallRateThreshold(float slowCallRateThreshold) {
			this.slowCallRateThreshold = slowCallRateThreshold;
		}

		public Duration getSlowCallDurationThreshold() {
			return this.slowCallDurationThreshold;
		}

		public void setSlowCallDurationThreshold(Duration slowCallDurationThreshold) {
			this.slowCallDurationThreshold = slowCallDurationThreshold;
		}

		public Duration getWaitDurationInOpenState() {
			return this.waitDurationInOpenState;
		}

		public void setWaitDurationInOpenState(Duration waitDurationInOpenState) {
			this.waitDurationInOpenState = waitDurationInOpenState;
		}

		public int getPermittedNumberOfCallsInHalfOpenState() {
			return this.permittedNumberOfCallsInHalfOpenState;
		}

		public void setPermittedNumberOfCallsInHalfOpenState(int permittedNumberOfCallsInHalfOpenState) {
			this.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState;
		}

		public Duration getMaxWaitDurationInHalfOpenState() {
			return this.maxWaitDurationInHalfOpenState;
		}

		public void setMaxWaitDurationInHalfOpenState(Duration maxWaitDurationInHalfOpenState) {
			this.maxWaitDurationInHalfOpenState = maxWaitDurationInHalfOpenState;
		}

		public boolean isAutomaticTransitionFromOpenToHalfOpenEnabled() {
			return this.automaticTransitionFromOpenToHalfOpenEnabled;
		}

		public void setAutomaticTransitionFromOpenToHalfOpenEnabled(
				boolean automaticTransitionFromOpenToHalfOpenEnabled) {
			this.automaticTransitionFromOpenToHalfOpenEnabled = automaticTransitionFromOpenToHalfOpenEnabled;
		}

	}

}
