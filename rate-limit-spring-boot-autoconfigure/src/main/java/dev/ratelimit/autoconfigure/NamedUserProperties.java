package dev.ratelimit.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A user named in the configuration, with a tier and/or limits of its own.
 *
 * @author rate-limit-spring-boot
 */
public class NamedUserProperties {

	/**
	 * Principal name of the user, matched exactly.
	 */
	private @Nullable String name;

	/**
	 * Tier the user is on, whatever the tier resolver says. None to keep the resolved
	 * tier.
	 */
	private @Nullable String tier;

	/**
	 * The user's own limits by operation name, in place of the tier's for that operation:
	 * "100/1h" or "5/1h, 20/1d", or a list of {limit, window, algorithm, burst}.
	 */
	private Map<String, List<LimitProperties>> limits = new LinkedHashMap<>();

	public @Nullable String getName() {
		return this.name;
	}

	public void setName(@Nullable String name) {
		this.name = name;
	}

	public @Nullable String getTier() {
		return this.tier;
	}

	public void setTier(@Nullable String tier) {
		this.tier = tier;
	}

	public Map<String, List<LimitProperties>> getLimits() {
		return this.limits;
	}

	public void setLimits(Map<String, List<LimitProperties>> limits) {
		this.limits = limits;
	}

}
