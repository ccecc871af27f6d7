package dev.ratelimit.policy.dynamic;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A daily window of wall-clock time in a zone, {@code [start, end)}, and the multiplier
 * of limits while it lasts. A window whose end is not after its start wraps midnight:
 * {@code 22:00-06:00} is from 22:00 to 06:00 the next morning. A start equal to the end
 * ({@code 00:00-00:00}) is the whole day. Midnight may be written {@code 24:00}
 * ({@code 18:00-24:00}).
 *
 * @param start the first minute of the window, inclusive
 * @param end the end of the window, exclusive
 * @param zone the zone the times are read in
 * @param multiplier the multiplier of limits within the window, greater than zero
 * @author rate-limit-spring-boot
 */
public record ScheduleWindow(LocalTime start, LocalTime end, ZoneId zone, double multiplier) {

	private static final DateTimeFormatter HOURS = DateTimeFormatter.ofPattern("HH:mm");

	public ScheduleWindow {
		if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
			throw new IllegalArgumentException("the multiplier must be a positive number, was " + multiplier);
		}
	}

	/**
	 * Parse hours such as {@code 09:00-18:00} or {@code 22:00-06:00}.
	 * @param hours the hours, {@code HH:MM-HH:MM} on a 24-hour clock
	 * @param zone the zone
	 * @param multiplier the multiplier
	 * @return the window
	 * @throws IllegalArgumentException when the hours are not of that form
	 */
	public static ScheduleWindow parse(String hours, ZoneId zone, double multiplier) {
		String text = hours.trim();
		int dash = text.indexOf('-');
		if (dash < 0 || dash != text.lastIndexOf('-')) {
			throw new IllegalArgumentException("the hours must be HH:MM-HH:MM, was '" + hours + "'");
		}
		return new ScheduleWindow(time(text.substring(0, dash), hours), time(text.substring(dash + 1), hours), zone,
				multiplier);
	}

	private static LocalTime time(String time, String hours) {
		try {
			return LocalTime.parse(time.trim(), HOURS);
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException(
					"the hours must be HH:MM-HH:MM on a 24-hour clock (00:00 to 23:59), was '" + hours + "'");
		}
	}

	/**
	 * Whether an instant falls within the window, read in the window's zone.
	 * @param instant the instant
	 * @return {@code true} when within
	 */
	public boolean contains(Instant instant) {
		LocalTime time = LocalTime.ofInstant(instant, this.zone);
		if (this.start.equals(this.end)) {
			return true;
		}
		if (this.start.isBefore(this.end)) {
			return !time.isBefore(this.start) && time.isBefore(this.end);
		}
		// Wraps midnight: from start to midnight, or from midnight to end.
		return !time.isBefore(this.start) || time.isBefore(this.end);
	}

	/**
	 * The hours as configured, e.g. {@code 22:00-06:00}.
	 * @return the hours
	 */
	public String hours() {
		return HOURS.format(this.start) + "-" + HOURS.format(this.end);
	}

}
