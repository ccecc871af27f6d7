package dev.ratelimit.actuate;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.ratelimit.resilience.ResilientRateLimiter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Binds the state of a rate limiter's backend, when the limiter has a
 * {@link ResilientRateLimiter} layer:
 * <ul>
 * <li>{@value #BACKEND_ERRORS} (counter; tag {@code exception}, the simple class name):
 * calls to the backend that failed or timed out, as recorded by its circuit breaker;</li>
 * <li>{@value #FALLBACK_ACTIVE} (gauge): 1 while the failure mode decides, else 0;</li>
 * <li>{@value #CIRCUIT_BREAKER_STATE} (gauge; tag {@code state}): 1 for the breaker's
 * current state ({@code closed}, {@code open}, {@code half_open}, ...), 0 for the
 * others.</li>
 * </ul>
 * A limiter without that layer binds nothing.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitBackendMetrics implements MeterBinder {

	/**
	 * Name of the counter of failed backend calls.
	 */
	public static final String BACKEND_ERRORS = "ratelimit.backend.errors";

	/**
	 * Name of the gauge that is 1 while the failure mode decides.
	 */
	public static final String FALLBACK_ACTIVE = "ratelimit.fallback.active";

	/**
	 * Name of the gauge of the circuit breaker's state.
	 */
	public static final String CIRCUIT_BREAKER_STATE = "ratelimit.circuit.breaker.state";

	private final @Nullable ResilientRateLimiter resilient;

	/**
	 * Create a binder.
	 * @param resilient the limiter's resilient layer to observe, or {@code null} when it
	 * has none
	 */
	public RateLimitBackendMetrics(@Nullable ResilientRateLimiter resilient) {
		this.resilient = resilient;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		ResilientRateLimiter resilient = this.resilient;
		if (resilient == null) {
			return;
		}
		Gauge.builder(FALLBACK_ACTIVE, resilient, (limiter) -> limiter.isOnFallback() ? 1 : 0)
			.description("Whether the rate limiter decides by its failure mode because its backend cannot")
			.register(registry);
		CircuitBreaker breaker = resilient.getCircuitBreaker();
		for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
			Gauge.builder(CIRCUIT_BREAKER_STATE, breaker, (cb) -> (cb.getState() == state) ? 1 : 0)
				.description("The state of the circuit breaker around the rate limiter's backend (1 = current)")
				.tag("state", state.name().toLowerCase(Locale.ROOT))
				.register(registry);
		}
		Map<Class<?>, Counter> errors = new ConcurrentHashMap<>();
		// Told by the limiter, not by the breaker's events: subscribing to those would
		// make the breaker build an event for every successful call.
		resilient.addBackendErrorListener(
				(failure) -> errors.computeIfAbsent(failure.getClass(), (type) -> backendErrors(registry, type))
					.increment());
	}

	private static Counter backendErrors(MeterRegistry registry, Class<?> exceptionType) {
		// The simple name of a class of the application or its libraries: a bounded set.
		String name = exceptionType.getSimpleName();
		return Counter.builder(BACKEND_ERRORS)
			.description("Calls to the rate limiter's backend that failed or timed out")
			.tag("exception", name.isEmpty() ? exceptionType.getName() : name)
			.register(registry);
	}

}
