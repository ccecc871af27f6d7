package dev.ratelimit.autoconfigure;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.ratelimit.policy.dynamic.GeographyMultipliers;
import dev.ratelimit.policy.dynamic.LoadThresholds;
import dev.ratelimit.policy.dynamic.Schedule;
import dev.ratelimit.policy.dynamic.ScheduleWindow;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Turns {@link DynamicProperties} into the validated parts of dynamic limits, failing at
 * startup on the first property that is wrong, named as it is set (e.g.
 * {@code rate-limit.dynamic.schedule[0].hours}).
 *
 * @author rate-limit-spring-boot
 */
final class DynamicLimitsMapper {

	private static final String PREFIX = "rate-limit.dynamic.";

	private final InvalidRateLimitProperty invalid;

	DynamicLimitsMapper(InvalidRateLimitProperty invalid) {
		this.invalid = invalid;
	}

	@Nullable Schedule schedule(DynamicProperties properties) {
		List<DynamicProperties.Window> configured = properties.getSchedule();
		if (configured.isEmpty()) {
			return null;
		}
		List<ScheduleWindow> windows = new ArrayList<>();
		for (int i = 0; i < configured.size(); i++) {
			DynamicProperties.Window window = configured.get(i);
			String property = PREFIX + "schedule[" + i + "]";
			ZoneId zone = zone(property + ".zone", window.getZone());
			double multiplier = multiplier(property + ".multiplier", window.getMultiplier());
			String hours = window.getHours();
			if (!StringUtils.hasText(hours)) {
				throw this.invalid.invalid(property + ".hours", hours, "the hours of the window must be set",
						"Give them as HH:MM-HH:MM, e.g. 22:00-06:00.");
			}
			try {
				windows.add(ScheduleWindow.parse(hours, zone, multiplier));
			}
			catch (IllegalArgumentException ex) {
				throw this.invalid.invalid(property + ".hours", hours, ex.getMessage(),
						"Give them as HH:MM-HH:MM on a 24-hour clock, e.g. 09:00-18:00 or 22:00-06:00.");
			}
		}
		return new Schedule(windows);
	}

	@Nullable LoadThresholds loadThresholds(DynamicProperties properties) {
		DynamicProperties.Load load = properties.getLoad();
		if (!load.isConfigured()) {
			return null;
		}
		double high = Double.POSITIVE_INFINITY;
		double highMultiplier = 1;
		if (load.getHigh() != null || load.getHighMultiplier() != null) {
			high = loadLevel(PREFIX + "load.high", load.getHigh());
			highMultiplier = multiplier(PREFIX + "load.high-multiplier", load.getHighMultiplier());
		}
		double low = Double.NEGATIVE_INFINITY;
		double lowMultiplier = 1;
		if (load.getLow() != null || load.getLowMultiplier() != null) {
			low = loadLevel(PREFIX + "load.low", load.getLow());
			lowMultiplier = multiplier(PREFIX + "load.low-multiplier", load.getLowMultiplier());
		}
		if (!(low < high)) {
			throw this.invalid.invalid(PREFIX + "load.low", low, "must be below load.high (" + high + "), was " + low,
					"Set low below high, e.g. low: 0.3 and high: 0.8.");
		}
		RateLimitAutoConfiguration.requirePositive(PREFIX + "load.sample-interval",
				load.getSampleInterval().toMillis());
		return new LoadThresholds(high, highMultiplier, low, lowMultiplier);
	}

	@Nullable GeographyMultipliers geography(DynamicProperties properties) {
		DynamicProperties.Geography geography = properties.getGeography();
		if (!geography.isConfigured()) {
			return null;
		}
		if (!StringUtils.hasText(geography.getHeader())) {
			throw this.invalid.invalid(PREFIX + "geography.header", geography.getHeader(), "must name a header",
					"Name the header your CDN writes the country code into, e.g. CF-IPCountry.");
		}
		for (Map.Entry<String, Double> entry : geography.getMultipliers().entrySet()) {
			String property = PREFIX + "geography.multipliers." + entry.getKey();
			if (!entry.getKey().matches("[A-Za-z]{2}")) {
				throw this.invalid.invalid(property, entry.getValue(),
						"'" + entry.getKey() + "' is not a two-letter country code",
						"Use ISO 3166-1 alpha-2 codes, e.g. US, GB or DE.");
			}
			multiplier(property, entry.getValue());
		}
		Double defaultMultiplier = geography.getDefaultMultiplier();
		return new GeographyMultipliers(geography.getHeader().trim(), geography.getMultipliers(),
				(defaultMultiplier != null) ? multiplier(PREFIX + "geography.default-multiplier", defaultMultiplier)
						: 1);
	}

	private ZoneId zone(String property, @Nullable String zone) {
		try {
			return ZoneId.of((zone != null) ? zone.trim() : "");
		}
		catch (DateTimeException ex) {
			throw this.invalid.invalid(property, zone, "'" + zone + "' is not a known time zone",
					"Give a zone ID such as UTC, Europe/Berlin or America/New_York.");
		}
	}

	private double multiplier(String property, @Nullable Double multiplier) {
		if (multiplier == null || !(multiplier > 0) || multiplier.isInfinite()) {
			throw this.invalid.invalid(property, multiplier,
					(multiplier == null) ? "must be set" : "must be greater than zero, was " + multiplier,
					"Set a positive multiplier, e.g. 1.5 to grant 50% more or 0.8 to grant 20% less.");
		}
		return multiplier;
	}

	private double loadLevel(String property, @Nullable Double level) {
		if (level == null || !(level >= 0 && level <= 1)) {
			throw this.invalid.invalid(property, level,
					(level == null) ? "must be set" : "must be from 0 to 1, was " + level,
					"Give the load as a fraction of the instance's capacity, e.g. 0.8.");
		}
		return level;
	}

}
