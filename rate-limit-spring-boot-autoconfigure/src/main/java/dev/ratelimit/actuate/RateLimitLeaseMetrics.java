package dev.ratelimit.actuate;

import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.redis.RedisRateLimiter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Binds the concurrency leases of a limiter that keeps its limits in Redis:
 * <ul>
 * <li>{@value #IN_FLIGHT} (gauge; tag {@code operation}): this instance's requests in
 * flight that hold leases, one gauge per configured operation with a concurrency limit,
 * so the tags are bounded by the configuration, never by callers;</li>
 * <li>{@value #LEASES_EXPIRED} (counter): leases that were freed because their lease
 * timeout passed rather than released: their instance died, or could not reach Redis for
 * that long.</li>
 * </ul>
 * A limiter without a Redis layer binds nothing.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitLeaseMetrics implements MeterBinder {

	/**
	 * Name of the gauge of requests in flight per operation.
	 */
	public static final String IN_FLIGHT = "ratelimit.requests.in.flight";

	/**
	 * Name of the counter of leases freed by expiry.
	 */
	public static final String LEASES_EXPIRED = "ratelimit.leases.expired";

	private final RateLimitPolicy policy;

	private final @Nullable RedisRateLimiter redis;

	/**
	 * Create a binder.
	 * @param policy the policy, whose operations with concurrency limits get a gauge
	 * @param redis the limiter's Redis layer, or {@code null} when it has none
	 */
	public RateLimitLeaseMetrics(RateLimitPolicy policy, @Nullable RedisRateLimiter redis) {
		this.policy = policy;
		this.redis = redis;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		RedisRateLimiter redis = this.redis;
		if (redis == null) {
			return;
		}
		for (OperationPolicy operation : this.policy.operations()) {
			if (this.policy.hasConcurrency(operation)) {
				String id = operation.id();
				Gauge.builder(IN_FLIGHT, redis, (limiter) -> limiter.inFlight(id))
					.description("Requests of the operation in flight on this instance that hold concurrency leases")
					.tag("operation", operation.name())
					.register(registry);
			}
		}
		FunctionCounter.builder(LEASES_EXPIRED, redis, RedisRateLimiter::leasesFreedByExpiry)
			.description("Concurrency leases freed because they were neither released nor renewed in time")
			.register(registry);
	}

}
