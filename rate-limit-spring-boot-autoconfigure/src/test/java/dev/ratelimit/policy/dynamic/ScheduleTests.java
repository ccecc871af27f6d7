package dev.ratelimit.policy.dynamic;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import dev.ratelimit.test.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link Schedule} and {@link ScheduleWindow}, read against an injected clock.
 *
 * @author rate-limit-spring-boot
 */
class ScheduleTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

	@Test
	void windowIsStartInclusiveEndExclusive() {
		ScheduleWindow window = ScheduleWindow.parse("09:00-18:00", ZoneOffset.UTC, 0.8);
		assertThat(at("2030-01-01T08:59:59Z", window)).isFalse();
		assertThat(at("2030-01-01T09:00:00Z", window)).isTrue();
		assertThat(at("2030-01-01T17:59:59Z", window)).isTrue();
		assertThat(at("2030-01-01T18:00:00Z", window)).isFalse();
	}

	@Test
	void windowMayWrapMidnight() {
		ScheduleWindow window = ScheduleWindow.parse("22:00-06:00", ZoneOffset.UTC, 1.5);
		assertThat(at("2030-01-01T21:59:00Z", window)).isFalse();
		assertThat(at("2030-01-01T22:00:00Z", window)).isTrue();
		assertThat(at("2030-01-01T23:59:59Z", window)).isTrue();
		assertThat(at("2030-01-02T00:00:00Z", window)).isTrue();
		assertThat(at("2030-01-02T05:59:59Z", window)).isTrue();
		assertThat(at("2030-01-02T06:00:00Z", window)).isFalse();
		assertThat(at("2030-01-02T12:00:00Z", window)).isFalse();
	}

	@Test
	void midnightMayBeWrittenAs24() {
		ScheduleWindow window = ScheduleWindow.parse("22:00-24:00", ZoneOffset.UTC, 1.5);
		assertThat(at("2030-01-01T23:59:59Z", window)).isTrue();
		assertThat(at("2030-01-02T00:00:00Z", window)).isFalse();
	}

	@Test
	void equalStartAndEndIsTheWholeDay() {
		ScheduleWindow window = ScheduleWindow.parse("00:00-00:00", ZoneOffset.UTC, 2);
		assertThat(at("2030-01-01T00:00:00Z", window)).isTrue();
		assertThat(at("2030-01-01T13:37:00Z", window)).isTrue();
	}

	@Test
	void hoursAreReadInTheWindowsZone() {
		// 09:00-18:00 in Berlin is 08:00-17:00 UTC in winter, 07:00-16:00 in summer.
		ScheduleWindow berlin = ScheduleWindow.parse("09:00-18:00", ZoneId.of("Europe/Berlin"), 0.8);
		assertThat(at("2030-01-15T07:30:00Z", berlin)).isFalse();
		assertThat(at("2030-01-15T08:00:00Z", berlin)).isTrue();
		assertThat(at("2030-01-15T16:59:00Z", berlin)).isTrue();
		assertThat(at("2030-01-15T17:00:00Z", berlin)).isFalse();
		assertThat(at("2030-07-15T07:00:00Z", berlin)).isTrue();
		assertThat(at("2030-07-15T16:00:00Z", berlin)).isFalse();
		// Midnight in Tokyo is 15:00 UTC.
		ScheduleWindow tokyo = ScheduleWindow.parse("23:00-01:00", ZoneId.of("Asia/Tokyo"), 2);
		assertThat(at("2030-01-01T14:30:00Z", tokyo)).isTrue();
		assertThat(at("2030-01-01T16:00:00Z", tokyo)).isFalse();
	}

	@Test
	void firstWindowContainingNowApplies() {
		Schedule schedule = new Schedule(List.of(ScheduleWindow.parse("22:00-06:00", ZoneOffset.UTC, 1.5),
				ScheduleWindow.parse("00:00-12:00", ZoneOffset.UTC, 0.5),
				ScheduleWindow.parse("09:00-18:00", ZoneOffset.UTC, 0.8)));
		this.clock.set(Instant.parse("2030-01-01T03:00:00Z"));
		assertThat(schedule.multiplierAt(this.clock.instant())).isEqualTo(1.5);
		this.clock.set(Instant.parse("2030-01-01T10:00:00Z"));
		assertThat(schedule.multiplierAt(this.clock.instant())).isEqualTo(0.5);
		this.clock.set(Instant.parse("2030-01-01T15:00:00Z"));
		assertThat(schedule.multiplierAt(this.clock.instant())).isEqualTo(0.8);
		this.clock.set(Instant.parse("2030-01-01T20:00:00Z"));
		assertThat(schedule.multiplierAt(this.clock.instant())).isEqualTo(1);
		assertThat(schedule.windowAt(this.clock.instant())).isNull();
	}

	@Test
	void parsesHoursStrictly() {
		assertThat(ScheduleWindow.parse(" 22:00 - 06:30 ", ZoneOffset.UTC, 1).hours()).isEqualTo("22:00-06:30");
		for (String hours : List.of("", "22:00", "22:00-", "9:00-18:00", "24:30-06:00", "22:60-06:00",
				"22:00-06:00-07:00", "ten-six", "22.00-06.00")) {
			assertThatIllegalArgumentException().as(hours)
				.isThrownBy(() -> ScheduleWindow.parse(hours, ZoneOffset.UTC, 1))
				.withMessageContaining("HH:MM-HH:MM");
		}
	}

	@Test
	void rejectsMultipliersThatAreNotPositive() {
		for (double multiplier : new double[] { 0, -1, Double.NaN, Double.POSITIVE_INFINITY }) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> ScheduleWindow.parse("09:00-18:00", ZoneOffset.UTC, multiplier))
				.withMessageContaining("multiplier");
		}
	}

	private boolean at(String instant, ScheduleWindow window) {
		this.clock.set(Instant.parse(instant));
		return window.contains(this.clock.instant());
	}

}
