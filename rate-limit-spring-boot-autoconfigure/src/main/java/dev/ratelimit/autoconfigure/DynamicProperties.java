package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Configuration properties of dynamic limits ({@code rate-limit.dynamic}): multipliers of
 * each caller's own limits by time of day, this instance's load, the caller's reputation
 * and its country. None applies unless configured.
 *
 * @author rate-limit-spring-boot
 */
public class DynamicProperties {

	/**
	 * Windows of the day with a multiplier of limits; the first window that contains
	 * "now" applies.
	 */
	private List<Window> schedule = new ArrayList<>();

	private final Load load = new Load();

	private final Reputation reputation = new Reputation();

	private final Geography geography = new Geography();

	public List<Window> getSchedule() {
		return this.schedule;
	}

	public void setSchedule(List<Window> schedule) {
		this.schedule = schedule;
	}

	public Load getLoad() {
		return this.load;
	}

	public Reputation getReputation() {
		return this.reputation;
	}

	public Geography getGeography() {
		return this.geography;
	}

	/**
	 * Whether any dynamic multiplier is configured.
	 * @return {@code true} when some multiplier can apply
	 */
	boolean isConfigured() {
		return !this.schedule.isEmpty() || this.load.isConfigured() || this.reputation.isEnabled()
				|| this.geography.isConfigured();
	}

	/**
	 * A window of the day.
	 */
	public static class Window {

		/**
		 * Hours of the window as HH:MM-HH:MM on a 24-hour clock, start inclusive, end
		 * exclusive; a window may wrap midnight (22:00-06:00).
		 */
		private @Nullable String hours;

		/**
		 * Zone the hours are read in, e.g. UTC or Europe/Berlin.
		 */
		private String zone = "UTC";

		/**
		 * Multiplier of limits within the window, greater than zero.
		 */
		private @Nullable Double multiplier;

		public @Nullable String getHours() {
			return this.hours;
		}

		public void setHours(@Nullable String hours) {
			this.hours = hours;
		}

		public String getZone() {
			return this.zone;
		}

		public void setZone(String zone) {
			this.zone = zone;
		}

		public @Nullable Double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(@Nullable Double multiplier) {
			this.multiplier = multiplier;
		}

	}

	/**
	 * Multipliers by this instance's load.
	 */
	public static class Load {

		/**
		 * Load (0 to 1) at and above which limits are multiplied by high-multiplier.
		 */
		private @Nullable Double high;

		/**
		 * Multiplier of limits at high load.
		 */
		private @Nullable Double highMultiplier;

		/**
		 * Load (0 to 1) at and below which limits are multiplied by low-multiplier.
		 */
		private @Nullable Double low;

		/**
		 * Multiplier of limits at low load.
		 */
		private @Nullable Double lowMultiplier;

		/**
		 * How often the load signal is sampled, in the background.
		 */
		private Duration sampleInterval = Duration.ofSeconds(1);

		public @Nullable Double getHigh() {
			return this.high;
		}

		public void setHigh(@Nullable Double high) {
			this.high = high;
		}

		public @Nullable Double getHighMultiplier() {
			return this.highMultiplier;
		}

		public void setHighMultiplier(@Nullable Double highMultiplier) {
			this.highMultiplier = highMultiplier;
		}

		public @Nullable Double getLow() {
			return this.low;
		}

		public void setLow(@Nullable Double low) {
			this.low = low;
		}

		public @Nullable Double getLowMultiplier() {
			return this.lowMultiplier;
		}

		public void setLowMultiplier(@Nullable Double lowMultiplier) {
			this.lowMultiplier = lowMultiplier;
		}

		public Duration getSampleInterval() {
			return this.sampleInterval;
		}

		public void setSampleInterval(Duration sampleInterval) {
			this.sampleInterval = sampleInterval;
		}

		boolean isConfigured() {
			return this.high != null || this.low != null || this.highMultiplier != null || this.lowMultiplier != null;
		}

	}

	/**
	 * Multipliers by the caller's reputation.
	 */
	public static class Reputation {

		/**
		 * Whether to multiply each caller's limits by 0.5 + 0.5 x its reputation (0 to 1;
		 * 0.8 when unknown), from a ReputationProvider bean (by default from Redis).
		 */
		private boolean enabled;

		/**
		 * How often the reputations of recent callers are read again, in the background.
		 */
		private Duration refreshInterval = Duration.ofSeconds(1);

		/**
		 * Most callers whose reputation is held in memory; others have the unknown
		 * reputation.
		 */
		private int maxCallers = 10000;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getRefreshInterval() {
			return this.refreshInterval;
		}

		public void setRefreshInterval(Duration refreshInterval) {
			this.refreshInterval = refreshInterval;
		}

		public int getMaxCallers() {
			return this.maxCallers;
		}

		public void setMaxCallers(int maxCallers) {
			this.maxCallers = maxCallers;
		}

	}

	/**
	 * Multipliers by the caller's country.
	 */
	public static class Geography {

		/**
		 * Header with the ISO country code that the CDN writes; read only from trusted
		 * proxies (rate-limit.identity.trusted-proxies).
		 */
		private String header = "CF-IPCountry";

		/**
		 * Multiplier of limits by country code, e.g. US: 1.0.
		 */
		private Map<String, Double> multipliers = new LinkedHashMap<>();

		/**
		 * Multiplier of every country not listed (also of a value that is not a country
		 * code); without the header limits stay as they are.
		 */
		private @Nullable Double defaultMultiplier;

		public String getHeader() {
			return this.header;
		}

		public void setHeader(String header) {
			this.header = header;
		}

		public Map<String, Double> getMultipliers() {
			return this.multipliers;
		}

		public void setMultipliers(Map<String, Double> multipliers) {
			this.multipliers = multipliers;
		}

		public @Nullable Double getDefaultMultiplier() {
			return this.defaultMultiplier;
		}

		public void setDefaultMultiplier(@Nullable Double defaultMultiplier) {
			this.defaultMultiplier = defaultMultiplier;
		}

		boolean isConfigured() {
			return !this.multipliers.isEmpty() || this.defaultMultiplier != null;
		}

	}

}
