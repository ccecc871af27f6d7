package dev.ratelimit.autoconfigure;

import java.time.Duration;

import dev.ratelimit.core.Algorithm;

import org.springframework.boot.convert.DurationStyle;

/**
 * Parses the short limit notation {@code <limit>/<window> [algorithm]}, e.g.
 * {@code 5/1h}, {@code 20/1d} or {@code 100/1m sliding-log}. A window without a number
 * ({@code 10/h}) means one of that unit.
 *
 * @author rate-limit-spring-boot
 */
final class LimitNotation {

	private LimitNotation() {
	}

	/**
	 * Parse one limit.
	 * @param text the notation
	 * @return the limit
	 * @throws IllegalArgumentException with a message that says what is wrong and what is
	 * expected
	 */
	static LimitProperties parse(String text) {
		String trimmed = text.trim();
		String[] parts = trimmed.split("\\s+");
		int slash = parts[0].indexOf('/');
		if (parts.length > 2 || slash < 1 || slash == parts[0].length() - 1) {
			throw invalid(text, "expected <limit>/<window> [algorithm], e.g. 5/1h or 100/1m sliding-log");
		}
		long limit;
		try {
			limit = Long.parseLong(parts[0].substring(0, slash));
		}
		catch (NumberFormatException ex) {
			throw invalid(text, "the limit '" + parts[0].substring(0, slash) + "' is not a whole number");
		}
		Duration window = parseWindow(text, parts[0].substring(slash + 1));
		Algorithm algorithm = (parts.length == 2) ? parseAlgorithm(text, parts[1]) : Algorithm.TOKEN_BUCKET;
		return new LimitProperties(limit, window, algorithm);
	}

	private static Duration parseWindow(String text, String window) {
		String value = Character.isDigit(window.charAt(0)) ? window : "1" + window;
		try {
			return DurationStyle.SIMPLE.parse(value);
		}
		catch (IllegalArgumentException ex) {
			throw invalid(text, "the window '" + window + "' is not a duration such as 30s, 1m, 1h or 1d");
		}
	}

	private static Algorithm parseAlgorithm(String text, String algorithm) {
		Algorithm parsed = Algorithm.fromNotation(algorithm);
		if (parsed == null) {
			throw invalid(text, "unknown algorithm '" + algorithm
					+ "'; use token-bucket, sliding-window, fixed-window or sliding-log");
		}
		return parsed;
	}

	private static IllegalArgumentException invalid(String text, String reason) {
		return new IllegalArgumentException("Invalid limit '" + text.trim() + "': " + reason);
	}

}
