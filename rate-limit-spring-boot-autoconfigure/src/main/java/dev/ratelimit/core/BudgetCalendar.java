package dev.ratelimit.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Decides which window of a budget a moment falls in, by the application's clock: a
 * {@linkplain Windows#MONTH month} runs from the first of a month at midnight in the zone
 * to the first of the next; a whole number of days N runs from midnight to midnight in
 * the zone, N calendar days counted from 1970-01-01 (for {@code 1d}: each day); any other
 * window is aligned to the Unix epoch like a fixed window ({@code 1h} starts on the hour,
 * UTC).
 * <p>
 * The application's clock decides, not Redis {@code TIME}, because calendar days in a
 * zone need the zone's rules; instances whose clocks drift apart by a second disagree on
 * the boundary for that second only.
 *
 * @author rate-limit-spring-boot
 */
public final class BudgetCalendar {

	/**
	 * Budgets counted by the system clock in UTC.
	 */
	public static final BudgetCalendar UTC = new BudgetCalendar(ZoneId.of("UTC"), Clock.systemUTC());

	private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();

	private final ZoneId zone;

	private final Clock clock;

	/**
	 * Create a calendar.
	 * @param zone the zone calendar windows align to
	 * @param clock the clock that says "now"
	 */
	public BudgetCalendar(ZoneId zone, Clock clock) {
		this.zone = zone;
		this.clock = clock;
	}

	/**
	 * The window a budget is in now.
	 * @param window the budget's window
	 * @return the window
	 */
	public Window current(Duration window) {
		return windowAt(window, this.clock.instant());
	}

	/**
	 * The window a budget is in at a moment.
	 * @param window the budget's window
	 * @param instant the moment
	 * @return the window
	 */
	public Window windowAt(Duration window, Instant instant) {
		long now = Micros.now(Clock.fixed(instant, this.zone));
		if (window.equals(Windows.MONTH)) {
			LocalDate first = instant.atZone(this.zone).toLocalDate().withDayOfMonth(1);
			return new Window(micros(first.atStartOfDay(this.zone)),
					micros(first.plusMonths(1).atStartOfDay(this.zone)), now);
		}
		long millis = window.toMillis();
		if (millis % DAY_MILLIS == 0) {
			long days = millis / DAY_MILLIS;
			long epochDay = instant.atZone(this.zone).toLocalDate().toEpochDay();
			LocalDate start = LocalDate.ofEpochDay(epochDay - Math.floorMod(epochDay, days));
			return new Window(micros(start.atStartOfDay(this.zone)),
					micros(start.plusDays(days).atStartOfDay(this.zone)), now);
		}
		long micros = Math.multiplyExact(millis, 1000L);
		long start = Math.floorDiv(now, micros) * micros;
		return new Window(start, start + micros, now);
	}

	/**
	 * The zone calendar windows align to.
	 * @return the zone
	 */
	public ZoneId zone() {
		return this.zone;
	}

	private static long micros(ZonedDateTime time) {
		return Micros.now(Clock.fixed(time.toInstant(), time.getZone()));
	}

	/**
	 * One window of a budget, in microseconds since the epoch.
	 *
	 * @param start the first microsecond of the window: it identifies the window
	 * @param end the first microsecond after it
	 * @param now the moment the window was asked for
	 */
	public record Window(long start, long end, long now) {

		/**
		 * Microseconds from "now" until the window ends.
		 * @return the microseconds, at least 1
		 */
		public long resetMicros() {
			return Math.max(1, this.end - this.now);
		}

	}

}
