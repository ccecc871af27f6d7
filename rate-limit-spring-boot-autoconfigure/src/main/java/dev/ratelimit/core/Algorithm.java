package dev.ratelimit.core;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * How one limit counts requests. Every algorithm keeps O(1) state per limit except
 * {@link #SLIDING_LOG}, which keeps one entry per admitted unit of cost.
 *
 * @author rate-limit-spring-boot
 */
public enum Algorithm {

	/**
	 * Generic cell rate algorithm: {@code limit} per {@code window}, refilling evenly,
	 * with bursts of up to {@code burst} (the limit by default). Because a full bucket
	 * can be spent at once and then refills, up to about twice the limit can pass in one
	 * rolling window.
	 */
	TOKEN_BUCKET("tb"),

	/**
	 * Counts in ten calendar-aligned sub-windows: the long-run rate is the limit, and no
	 * rolling window ever holds more than the limit plus a tenth (rounded up), whatever
	 * the arrival times. Its code is {@code sw2}: keys of the earlier two-window estimate
	 * ({@code sw}) are never read.
	 */
	SLIDING_WINDOW("sw2"),

	/**
	 * At most {@code limit} per calendar-aligned window (aligned to the Unix epoch, UTC);
	 * the count resets at the boundary, so up to twice the limit can pass across one
	 * boundary.
	 */
	FIXED_WINDOW("fw"),

	/**
	 * Exact: never more than {@code limit} in any rolling window. Keeps one entry per
	 * admitted unit, so meant for small limits.
	 */
	SLIDING_LOG("sl"),

	/**
	 * Not a rate but a concurrency limit: at most {@code limit} requests in flight at
	 * once, each holding a lease that is released when its response completes. The window
	 * is the lease timeout: a lease neither released nor renewed for that long is freed
	 * (its instance died). Never written by users as the algorithm of a rate limit; it
	 * comes from the {@code concurrent} settings.
	 */
	CONCURRENCY("cc"),

	/**
	 * Not a rate but a budget: an amount (money, in micro-units) per calendar window,
	 * read by the check (a budget already spent denies) and charged with the real cost
	 * after the response. Never written by users as the algorithm of a rate limit; it
	 * comes from the {@code budgets} settings.
	 */
	BUDGET("bg"),

	/**
	 * Not a rate but a burst allowance: at most {@code limit} more units per
	 * calendar-aligned window (counted as {@link #FIXED_WINDOW} counts), consulted only
	 * when the request's rate limits deny it. Never written by users as the algorithm of
	 * a rate limit; it comes from the {@code burst-allowance} setting of a tier.
	 */
	BURST_ALLOWANCE("ba");

	private final String code;

	private final String notation;

	Algorithm(String code) {
		this.code = code;
		this.notation = name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * The short code used in storage keys and in the Lua script.
	 * @return the code
	 */
	public String code() {
		return this.code;
	}

	/**
	 * The name users write in configuration, e.g. {@code sliding-log}.
	 * @return the name
	 */
	public String notation() {
		return this.notation;
	}

	/**
	 * The algorithm a user's name stands for, ignoring case, with {@code _} for
	 * {@code -}.
	 * @param notation the name, e.g. {@code sliding-log} or {@code SLIDING_LOG}
	 * @return the algorithm, or {@code null} when the name is unknown (or names
	 * {@link #CONCURRENCY}, {@link #BUDGET} or {@link #BURST_ALLOWANCE}, which are not
	 * the algorithm of a rate)
	 */
	public static @Nullable Algorithm fromNotation(String notation) {
		for (Algorithm candidate : values()) {
			if (candidate != CONCURRENCY && candidate != BUDGET && candidate != BURST_ALLOWANCE
					&& candidate.notation.equalsIgnoreCase(notation.replace('_', '-'))) {
				return candidate;
			}
		}
		return null;
	}

}
