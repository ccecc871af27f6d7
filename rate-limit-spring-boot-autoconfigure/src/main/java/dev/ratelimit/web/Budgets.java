package dev.ratelimit.web;

import java.math.BigDecimal;

import dev.ratelimit.core.Money;

/**
 * How amounts of budgets are shown: exact decimals with at least two places (cents), and
 * more only where the amount has them.
 *
 * @author rate-limit-spring-boot
 */
final class Budgets {

	private Budgets() {
	}

	static BigDecimal amount(long micros) {
		BigDecimal amount = Money.ofMicros(micros).stripTrailingZeros();
		return (amount.scale() < 2) ? amount.setScale(2) : amount;
	}

}
