package dev.ratelimit.core;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Amounts of budgets: {@link BigDecimal} in Java, integers of micro-units (six decimals)
 * in storage, never a floating-point number. Redis adds micro-units with {@code HINCRBY}
 * (64-bit integers); its scripts read them as Lua numbers (doubles), which are exact
 * integers up to 2<sup>53</sup>, so every amount is bounded by {@link #MAX_MICROS} (about
 * nine billion units).
 *
 * @author rate-limit-spring-boot
 */
public final class Money {

	/**
	 * The number of decimals every amount is stored with.
	 */
	public static final int SCALE = 6;

	/**
	 * The largest amount in micro-units: 2<sup>53</sup>, the largest integer a Lua number
	 * holds exactly.
	 */
	public static final long MAX_MICROS = 1L << 53;

	private Money() {
	}

	/**
	 * An exact amount in micro-units.
	 * @param amount the amount, at most {@value #SCALE} decimals
	 * @return the micro-units
	 * @throws ArithmeticException when the amount has more decimals than the scale or is
	 * out of bounds
	 */
	public static long toMicros(BigDecimal amount) {
		long micros = amount.movePointRight(SCALE).longValueExact();
		return bounded(micros);
	}

	/**
	 * An amount in micro-units, rounded half up to the scale: the cost of one request,
	 * computed from prices with more decimals than the scale, is rounded once.
	 * @param amount the amount
	 * @return the micro-units
	 * @throws ArithmeticException when the amount is out of bounds
	 */
	public static long roundToMicros(BigDecimal amount) {
		return bounded(amount.setScale(SCALE, RoundingMode.HALF_UP).movePointRight(SCALE).longValueExact());
	}

	/**
	 * An amount of micro-units as a decimal of the scale.
	 * @param micros the micro-units
	 * @return the amount, e.g. {@code 5.000000}
	 */
	public static BigDecimal ofMicros(long micros) {
		return BigDecimal.valueOf(micros, SCALE);
	}

	private static long bounded(long micros) {
		if (Math.abs(micros) > MAX_MICROS) {
			throw new ArithmeticException("an amount must be at most " + MAX_MICROS + " micro-units, was " + micros);
		}
		return micros;
	}

}
