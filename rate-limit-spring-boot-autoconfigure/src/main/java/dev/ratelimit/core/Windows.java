package dev.ratelimit.core;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Formats windows the way users write them ({@code 1h}, {@code 30s}, {@code 1d}).
 *
 * @author rate-limit-spring-boot
 */
public final class Windows {

	private static final long[] UNIT_MILLIS = { 86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L };

	private static final String[] UNIT_SUFFIXES = { "d", "h", "m", "s", "ms" };

	/**
	 * A calendar month ({@code 1mo}), a window of budgets only: from the first of a month
	 * at midnight to the first of the next. The duration stands for it and is never taken
	 * as a length (it is the average month, 2,629,746 s).
	 */
	public static final Duration MONTH = ChronoUnit.MONTHS.getDuration();

	private Windows() {
	}

	/**
	 * Format a window in the largest unit that divides it ({@code PT1H} is {@code 1h},
	 * {@code PT90S} is {@code 90s}).
	 * @param window the window
	 * @return the short form
	 */
	public static String format(Duration window) {
		if (window.equals(MONTH)) {
			return "1mo";
		}
		long millis = window.toMillis();
		for (int i = 0; i < UNIT_MILLIS.length; i++) {
			if (millis % UNIT_MILLIS[i] == 0) {
				return (millis / UNIT_MILLIS[i]) + UNIT_SUFFIXES[i];
			}
		}
		return millis + "ms";
	}

}
