package dev.ratelimit.core;

import java.time.Duration;

/**
 * Formats windows the way users write them ({@code 1h}, {@code 30s}, {@code 1d}).
 *
 * @author rate-limit-spring-boot
 */
public final class Windows {

	private static final long[] UNIT_MILLIS = { 86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L };

	private static final String[] UNIT_SUFFIXES = { "d", "h", "m", "s", "ms" };

	private Windows() {
	}

	/**
	 * Format a window in the largest unit that divides it ({@code PT1H} is {@code 1h},
	 * {@code PT90S} is {@code 90s}).
	 * @param window the window
	 * @return the short form
	 */
	public static String format(Duration window) {
		long millis = window.toMillis();
		for (int i = 0; i < UNIT_MILLIS.length; i++) {
			if (millis % UNIT_MILLIS[i] == 0) {
				return (millis / UNIT_MILLIS[i]) + UNIT_SUFFIXES[i];
			}
		}
		return millis + "ms";
	}

}
