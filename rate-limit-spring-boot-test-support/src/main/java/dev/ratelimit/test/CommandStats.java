package dev.ratelimit.test;

import java.util.Properties;

/**
 * Reads Redis {@code INFO commandstats}, where tests count the commands a piece of code
 * sent.
 *
 * @author rate-limit-spring-boot
 */
public final class CommandStats {

	private CommandStats() {
	}

	/**
	 * How often a command was called.
	 * @param stats the {@code commandstats} section, as Spring Data Redis returns it
	 * @param command the stat's name, e.g. {@code cmdstat_evalsha}
	 * @return the number of calls, 0 when the command was never called
	 */
	public static long calls(Properties stats, String command) {
		String value = stats.getProperty(command);
		if (value == null) {
			return 0;
		}
		String calls = value.substring(value.indexOf("calls=") + 6);
		return Long.parseLong(calls.substring(0, calls.indexOf(',')));
	}

	/**
	 * How many script calls ({@code EVALSHA} and {@code EVAL}) were made.
	 * @param stats the {@code commandstats} section
	 * @return the number of script calls
	 */
	public static long scriptCalls(Properties stats) {
		return calls(stats, "cmdstat_evalsha") + calls(stats, "cmdstat_eval");
	}

}
