package dev.ratelimit.autoconfigure;

import java.time.Duration;

import dev.ratelimit.core.Algorithm;
import org.jspecify.annotations.Nullable;

/**
 * One limit. Binds from the short form "5/1h" or "5/1h sliding-log" as well as from its
 * properties.
 *
 * @author rate-limit-spring-boot
 */
public class LimitProperties {

	/**
	 * Units allowed per window.
	 */
	private long limit;

	/**
	 * The window, e.g. 30s, 1m, 1h, 1d.
	 */
	private @Nullable Duration window;

	/**
	 * How requests are counted.
	 */
	private Algorithm algorithm = Algorithm.TOKEN_BUCKET;

	/**
	 * For token-bucket, how many units may be spent at once. Defaults to the limit.
	 */
	private @Nullable Long burst;

	public LimitProperties() {
	}

	public LimitProperties(long limit, Duration window, Algorithm algorithm) {
		this.limit = limit;
		this.window = window;
		this.algorithm = algorithm;
	}

	/**
	 * Parse the short form, e.g. {@code 5/1h} or {@code 100/1m sliding-log}.
	 * @param text the short form
	 * @return the limit
	 */
	public static LimitProperties valueOf(String text) {
		return LimitNotation.parse(text);
	}

	public long getLimit() {
		return this.limit;
	}

	public void setLimit(long limit) {
		this.limit = limit;
	}

	public @Nullable Duration getWindow() {
		return this.window;
	}

	public void setWindow(@Nullable Duration window) {
		this.window = window;
	}

	public Algorithm getAlgorithm() {
		return this.algorithm;
	}

	public void setAlgorithm(Algorithm algorithm) {
		this.algorithm = algorithm;
	}

	public @Nullable Long getBurst() {
		return this.burst;
	}

	public void setBurst(@Nullable Long burst) {
		this.burst = burst;
	}

}
