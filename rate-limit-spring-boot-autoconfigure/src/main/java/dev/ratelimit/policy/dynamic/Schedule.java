package dev.ratelimit.policy.dynamic;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Multipliers of limits by time of day: the first window that contains "now" applies,
 * none outside every window.
 *
 * @param windows the windows, in the order they are tried
 * @author rate-limit-spring-boot
 */
public record Schedule(List<ScheduleWindow> windows) {

	public Schedule {
		windows = List.copyOf(windows);
	}

	/**
	 * The window that applies at an instant.
	 * @param instant the instant
	 * @return the first window containing it, or {@code null} when none does
	 */
	public @Nullable ScheduleWindow windowAt(Instant instant) {
		for (int i = 0; i < this.windows.size(); i++) {
			ScheduleWindow window = this.windows.get(i);
			if (window.contains(instant)) {
				return window;
			}
		}
		return null;
	}

	/**
	 * The multiplier at an instant.
	 * @param instant the instant
	 * @return the multiplier of the first window containing it, 1 when none does
	 */
	public double multiplierAt(Instant instant) {
		ScheduleWindow window = windowAt(instant);
		return (window != null) ? window.multiplier() : 1;
	}

}
