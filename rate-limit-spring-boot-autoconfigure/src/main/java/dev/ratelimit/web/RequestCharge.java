package dev.ratelimit.web;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.Money;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.policy.Names;
import org.jspecify.annotations.Nullable;

/**
 * The cost of one admitted request, reported by its handler and charged to the request's
 * budgets when its response is complete: in one call to the limiter, which adds every
 * amount to the budget of that name in every scope of the request (the caller's and the
 * global one). Obtain it from {@link RateLimitCharges}; it may be kept and used from any
 * thread (an asynchronous or streaming handler).
 * <p>
 * Amounts reported before the response completes are summed and charged once, rounded
 * half up to the budgets' scale ({@link Money#SCALE} decimals) once per budget. An amount
 * reported after the response completed (a late charge) is charged at once, on its own:
 * never lost, never charged twice. A handle of a request without budgets (or one that was
 * not admitted) charges nothing.
 *
 * @author rate-limit-spring-boot
 */
public final class RequestCharge {

	/**
	 * The request attribute that holds the charge of the current request.
	 */
	public static final String ATTRIBUTE = RequestCharge.class.getName();

	private static final RequestCharge NONE = new RequestCharge(null, null, new RateLimitListener[0]);

	private final @Nullable RateLimiter rateLimiter;

	private final @Nullable ResolvedRequest resolved;

	private final RateLimitListener[] listeners;

	private final Map<String, BigDecimal> pending = new LinkedHashMap<>();

	private boolean completed;

	RequestCharge(@Nullable RateLimiter rateLimiter, @Nullable ResolvedRequest resolved,
			RateLimitListener[] listeners) {
		this.rateLimiter = rateLimiter;
		this.resolved = resolved;
		this.listeners = listeners;
	}

	static RequestCharge none() {
		return NONE;
	}

	/**
	 * Report an amount to charge to a budget of this request.
	 * @param budget the budget's name, e.g. {@code usd}
	 * @param amount the amount, not negative (any scale; rounded once when charged)
	 * @throws IllegalArgumentException when the amount is negative or the request has no
	 * budget of that name
	 */
	public void charge(String budget, BigDecimal amount) {
		if (amount.signum() < 0) {
			throw new IllegalArgumentException("an amount to charge must not be negative, was " + amount);
		}
		ResolvedRequest resolved = this.resolved;
		if (resolved == null) {
			return;
		}
		String name = Names.canonical(budget);
		if (!hasBudget(resolved, name)) {
			throw new IllegalArgumentException(
					"operation '" + resolved.operation().name() + "' has no budget '" + budget + "' for this request");
		}
		boolean late;
		synchronized (this) {
			late = this.completed;
			if (!late) {
				this.pending.merge(name, amount, BigDecimal::add);
			}
		}
		if (late) {
			send(Map.of(name, amount));
		}
	}

	/**
	 * Whether this handle charges anything: the request was admitted and has budgets.
	 * @return {@code true} for a request with budgets
	 */
	public boolean isActive() {
		return this.resolved != null;
	}

	/**
	 * Charge what was reported; called once, when the response is complete.
	 */
	void complete() {
		Map<String, BigDecimal> amounts;
		synchronized (this) {
			if (this.completed) {
				return;
			}
			this.completed = true;
			amounts = new LinkedHashMap<>(this.pending);
			this.pending.clear();
		}
		if (!amounts.isEmpty()) {
			send(amounts);
		}
	}

	private void send(Map<String, BigDecimal> amounts) {
		RateLimiter rateLimiter = this.rateLimiter;
		ResolvedRequest resolved = this.resolved;
		if (rateLimiter == null || resolved == null) {
			return;
		}
		Map<String, Long> micros = new LinkedHashMap<>();
		amounts.forEach((budget, amount) -> {
			long rounded = Money.roundToMicros(amount);
			if (rounded > 0) {
				micros.put(budget, rounded);
			}
		});
		if (micros.isEmpty()) {
			return;
		}
		try {
			rateLimiter.charge(resolved.toRateLimitRequest(), micros);
		}
		catch (RuntimeException ex) {
			// Dropped: the response is complete, and nothing may fail it now.
			return;
		}
		micros.forEach((budget, amount) -> {
			for (RateLimitListener listener : this.listeners) {
				listener.onCharged(resolved, budget, Money.ofMicros(amount));
			}
		});
	}

	private static boolean hasBudget(ResolvedRequest resolved, String name) {
		for (LimitSpec limit : resolved.limits()) {
			if (limit.isBudget() && name.equals(limit.name())) {
				return true;
			}
		}
		for (LimitSpec limit : resolved.global()) {
			if (limit.isBudget() && name.equals(limit.name())) {
				return true;
			}
		}
		return false;
	}

}
