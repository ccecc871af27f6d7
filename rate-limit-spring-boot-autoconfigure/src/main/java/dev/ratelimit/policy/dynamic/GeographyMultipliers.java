package dev.ratelimit.policy.dynamic;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Multipliers of limits by the caller's country, as an ISO 3166-1 alpha-2 code in a
 * header that a CDN writes (e.g. {@code CF-IPCountry}). The header is believed only when
 * the request came through a trusted proxy: the caller of the resolver decides that.
 * <ul>
 * <li>no header (or an empty one): 1, nothing is known;</li>
 * <li>a listed country: its multiplier;</li>
 * <li>any other value, also one that is not two letters (Cloudflare's {@code T1} for Tor,
 * garbage): the default multiplier, as for every country not listed.</li>
 * </ul>
 *
 * @author rate-limit-spring-boot
 */
public final class GeographyMultipliers {

	private final String header;

	private final Map<String, Double> multipliers;

	private final double defaultMultiplier;

	/**
	 * Create the multipliers.
	 * @param header the header the country code is read from
	 * @param multipliers the multiplier of each country, by code (any case)
	 * @param defaultMultiplier the multiplier of every other country
	 */
	public GeographyMultipliers(String header, Map<String, Double> multipliers, double defaultMultiplier) {
		this.header = header;
		Map<String, Double> byCode = new HashMap<>();
		multipliers.forEach((code, multiplier) -> byCode.put(code.toUpperCase(Locale.ROOT), multiplier));
		this.multipliers = Map.copyOf(byCode);
		this.defaultMultiplier = defaultMultiplier;
	}

	/**
	 * The header the country code is read from.
	 * @return the header's name
	 */
	public String header() {
		return this.header;
	}

	/**
	 * The multiplier of each listed country.
	 * @return the multipliers by upper-case code
	 */
	public Map<String, Double> multipliers() {
		return this.multipliers;
	}

	/**
	 * The multiplier of every country not listed.
	 * @return the default multiplier
	 */
	public double defaultMultiplier() {
		return this.defaultMultiplier;
	}

	/**
	 * The multiplier for a header value.
	 * @param country the header's value, or {@code null} when absent
	 * @return the multiplier
	 */
	public double multiplierFor(@Nullable String country) {
		if (country == null || country.isEmpty()) {
			return 1;
		}
		if (!isCountryCode(country)) {
			return this.defaultMultiplier;
		}
		Double multiplier = this.multipliers.get(country.toUpperCase(Locale.ROOT));
		return (multiplier != null) ? multiplier : this.defaultMultiplier;
	}

	/**
	 * Whether a value is two ASCII letters: checked before the map is consulted, so that
	 * no value a client sends makes the lookup allocate more than a two-letter string.
	 */
	private static boolean isCountryCode(String value) {
		return value.length() == 2 && isLetter(value.charAt(0)) && isLetter(value.charAt(1));
	}

	private static boolean isLetter(char c) {
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
	}

}
