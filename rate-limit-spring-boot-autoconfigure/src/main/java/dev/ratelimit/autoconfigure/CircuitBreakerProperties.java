package dev.ratelimit.autoconfigure;

import java.time.Duration;

/**
 * The circuit breaker that moves the checks off Redis while it fails
 * ({@code rate-limit.circuit-breaker.*}), with defaults for a rate limiter: leave Redis
 * after a few failed calls, try it again after seconds, and never for slow answers alone
 * (a busy machine is not an outage). The keys are those of one resilience4j circuit
 * breaker instance.
 *
 * @author rate-limit-spring-boot
 */
public class CircuitBreakerProperties {

	/**
	 * Whether the failure rate is computed over the last calls (count-based) or the last
	 * seconds (time-based).
	 */
	private SlidingWindowType slidingWindowType = SlidingWindowType.COUNT_BASED;

	/**
	 * Number of calls, or seconds, the failure rate is computed over.
	 */
	private int slidingWindowSize = 10;

	/**
	 * Fewest calls in the window before the failure rate counts.
	 */
	private int minimumNumberOfCalls = 5;

	/**
	 * Percentage of failed calls at which the breaker opens.
	 */
	private float failureRateThreshold = 50;

	/**
	 * Percentage of slow calls at which the breaker opens.
	 */
	private float slowCallRateThreshold = 100;

	/**
	 * Duration from which an answer counts as slow. A slow answer on a live connection is
	 * load, not an outage, so the default is resilience4j's own, a minute: in practice
	 * only failures and stalls open the breaker.
	 */
	private Duration slowCallDurationThreshold = Duration.ofSeconds(60);

	/**
	 * How long the breaker stays open before letting probes through.
	 */
	private Duration waitDurationInOpenState = Duration.ofSeconds(5);

	/**
	 * Number of probe calls let through while half open.
	 */
	private int permittedNumberOfCallsInHalfOpenState = 3;

	/**
	 * Longest the breaker stays half open before opening again; 0 waits for the probes.
	 */
	private Duration maxWaitDurationInHalfOpenState = Duration.ZERO;

	/**
	 * Whether a timer moves an open breaker to half open, rather than the next call.
	 */
	private boolean automaticTransitionFromOpenToHalfOpenEnabled;

	public SlidingWindowType getSlidingWindowType() {
		return this.slidingWindowType;
	}

	public void setSlidingWindowType(SlidingWindowType slidingWindowType) {
		this.slidingWindowType = slidingWindowType;
	}

	public int getSlidingWindowSize() {
		return this.slidingWindowSize;
	}

	public void setSlidingWindowSize(int slidingWindowSize) {
		this.slidingWindowSize = slidingWindowSize;
	}

	public int getMinimumNumberOfCalls() {
		return this.minimumNumberOfCalls;
	}

	public void setMinimumNumberOfCalls(int minimumNumberOfCalls) {
		this.minimumNumberOfCalls = minimumNumberOfCalls;
	}

	public float getFailureRateThreshold() {
		return this.failureRateThreshold;
	}

	public void setFailureRateThreshold(float failureRateThreshold) {
		this.failureRateThreshold = failureRateThreshold;
	}

	public float getSlowCallRateThreshold() {
		return this.slowCallRateThreshold;
	}

	public void setSlowCallRateThreshold(float slowCallRateThreshold) {
		this.slowCallRateThreshold = slowCallRateThreshold;
	}

	public Duration getSlowCallDurationThreshold() {
		return this.slowCallDurationThreshold;
	}

	public void setSlowCallDurationThreshold(Duration slowCallDurationThreshold) {
		this.slowCallDurationThreshold = slowCallDurationThreshold;
	}

	public Duration getWaitDurationInOpenState() {
		return this.waitDurationInOpenState;
	}

	public void setWaitDurationInOpenState(Duration waitDurationInOpenState) {
		this.waitDurationInOpenState = waitDurationInOpenState;
	}

	public int getPermittedNumberOfCallsInHalfOpenState() {
		return this.permittedNumberOfCallsInHalfOpenState;
	}

	public void setPermittedNumberOfCallsInHalfOpenState(int permittedNumberOfCallsInHalfOpenState) {
		this.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState;
	}

	public Duration getMaxWaitDurationInHalfOpenState() {
		return this.maxWaitDurationInHalfOpenState;
	}

	public void setMaxWaitDurationInHalfOpenState(Duration maxWaitDurationInHalfOpenState) {
		this.maxWaitDurationInHalfOpenState = maxWaitDurationInHalfOpenState;
	}

	public boolean isAutomaticTransitionFromOpenToHalfOpenEnabled() {
		return this.automaticTransitionFromOpenToHalfOpenEnabled;
	}

	public void setAutomaticTransitionFromOpenToHalfOpenEnabled(boolean automaticTransitionFromOpenToHalfOpenEnabled) {
		this.automaticTransitionFromOpenToHalfOpenEnabled = automaticTransitionFromOpenToHalfOpenEnabled;
	}

	/**
	 * How the failure rate is computed, as resilience4j's sliding window types (not
	 * referenced here, so that the properties bind without resilience4j on the class
	 * path).
	 */
	public enum SlidingWindowType {

		/**
		 * Over the last calls.
		 */
		COUNT_BASED,

		/**
		 * Over the last seconds.
		 */
		TIME_BASED

	}

}
