package dev.ratelimit.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A tier (plan).
 *
 * @author rate-limit-spring-boot
 */
public class TierProperties {

	/**
	 * Whether callers on this tier are never limited (and cost no backend call).
	 */
	private boolean unlimited;

	/**
	 * Where callers on this tier can upgrade; included in the 429 problem body.
	 */
	private @Nullable String upgradeUrl;

	/**
	 * Limits by operation name: "5/1h, 20/1d" (every window is enforced), optionally with
	 * an algorithm ("100/1m sliding-log"), or a list of {limit, window, algorithm,
	 * burst}.
	 */
	private Map<String, List<LimitProperties>> limits = new LinkedHashMap<>();

	/**
	 * Requests in flight at once per caller, by operation name: e.g. open streams per
	 * caller.
	 */
	private Map<String, Integer> concurrent = new LinkedHashMap<>();

	/**
	 * Budgets of each caller of this tier, by operation and budget name, e.g.
	 * assistant_query.usd: 20.00/1d; in place of the operation's own budgets.
	 */
	private Map<String, Map<String, String>> budgets = new LinkedHashMap<>();

	/**
	 * Requests admitted beyond an exhausted rate limit of this tier, "<limit>/<window>",
	 * e.g. 2/5m: up to 2 more per (calendar-aligned) 5 minutes per caller and operation,
	 * only when nothing but the caller's own rate limits denies. None by default.
	 */
	private @Nullable String burstAllowance;

	public @Nullable String getBurstAllowance() {
		return this.burstAllowance;
	}

	public void setBurstAllowance(@Nullable String burstAllowance) {
		this.burstAllowance = burstAllowance;
	}

	public Map<String, Map<String, String>> getBudgets() {
		return this.budgets;
	}

	public void setBudgets(Map<String, Map<String, String>> budgets) {
		this.budgets = budgets;
	}

	public Map<String, Integer> getConcurrent() {
		return this.concurrent;
	}

	public void setConcurrent(Map<String, Integer> concurrent) {
		this.concurrent = concurrent;
	}

	public boolean isUnlimited() {
		return this.unlimited;
	}

	public void setUnlimited(boolean unlimited) {
		this.unlimited = unlimited;
	}

	public @Nullable String getUpgradeUrl() {
		return this.upgradeUrl;
	}

	public void setUpgradeUrl(@Nullable String upgradeUrl) {
		this.upgradeUrl = upgradeUrl;
	}

	public Map<String, List<LimitProperties>> getLimits() {
		return this.limits;
	}

	public void setLimits(Map<String, List<LimitProperties>> limits) {
		this.limits = limits;
	}

}
