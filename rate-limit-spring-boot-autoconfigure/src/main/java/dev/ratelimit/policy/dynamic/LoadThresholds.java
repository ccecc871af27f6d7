package dev.ratelimit.policy.dynamic;

/**
 * How load adjusts limits: at or above {@code high} they are multiplied by
 * {@code highMultiplier}, at or below {@code low} by {@code lowMultiplier}, in between
 * (and while the load is unknown) by 1.
 *
 * @param high the load from which limits shrink, 0 to 1
 * @param highMultiplier the multiplier at high load, greater than zero
 * @param low the load up to which limits grow, 0 to 1, below {@code high}
 * @param lowMultiplier the multiplier at low load, greater than zero
 * @author rate-limit-spring-boot
 */
public record LoadThresholds(double high, double highMultiplier, double low, double lowMultiplier) {

	public LoadThresholds {
		if (!(low < high)) {
			throw new IllegalArgumentException("low must be below high, were " + low + " and " + high);
		}
	}

	/**
	 * The multiplier at a load.
	 * @param load the load, or {@code NaN} when unknown
	 * @return the multiplier
	 */
	public double multiplierAt(double load) {
		if (Double.isNaN(load)) {
			return 1;
		}
		if (load >= this.high) {
			return this.highMultiplier;
		}
		return (load <= this.low) ? this.lowMultiplier : 1;
	}

}
