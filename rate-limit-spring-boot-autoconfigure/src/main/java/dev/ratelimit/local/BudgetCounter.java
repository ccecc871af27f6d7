package dev.ratelimit.local;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;

/**
 * A budget in the in-memory limiter, which does not keep budgets: nothing is ever charged
 * to it, so it always admits with the whole budget left. Budgets are enforced by the
 * shared backend only; while it cannot answer, the rate limits' local shares protect the
 * service and charges are dropped (see the README).
 *
 * @author rate-limit-spring-boot
 */
final class BudgetCounter extends LimitCounter {

	@Override
	LimitState evaluate(LimitSpec limit, long now, long cost) {
		return LimitState.ofMicros(limit, true, limit.limit(), 0, 0);
	}

	@Override
	long consume(LimitSpec limit, long now, long cost) {
		// Nothing stored: the entry may go at once.
		return 1;
	}

}
