package dev.ratelimit.policy.dynamic;

import java.time.Duration;

import dev.ratelimit.core.PeriodicTask;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * A {@link LoadSignal} sampled every interval on a daemon thread of its own and kept in a
 * volatile field, so that a request reads the load from memory: no call, no lock. Until
 * the first sample the load is unknown and adjusts nothing.
 *
 * @author rate-limit-spring-boot
 */
public final class SampledLoad implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(SampledLoad.class);

	private final LoadSignal signal;

	private final PeriodicTask sampling;

	private volatile double load = Double.NaN;

	/**
	 * Create a sampler; it samples once {@linkplain #start() started}.
	 * @param signal the signal
	 * @param interval how often to sample it
	 */
	public SampledLoad(LoadSignal signal, Duration interval) {
		this.signal = signal;
		this.sampling = new PeriodicTask("rate-limit-load", this::sample, interval);
	}

	/**
	 * Read the signal now (the background task does this every interval).
	 */
	public void sample() {
		double sampled;
		try {
			sampled = this.signal.load();
		}
		catch (RuntimeException ex) {
			logger.debug("The load signal failed; the load is unknown until it answers", ex);
			sampled = Double.NaN;
		}
		this.load = Double.isNaN(sampled) ? Double.NaN : Math.min(1, Math.max(0, sampled));
	}

	/**
	 * The last sampled load.
	 * @return the load from 0 to 1, or {@code NaN} when unknown
	 */
	public double load() {
		return this.load;
	}

	@Override
	public void start() {
		this.sampling.start();
	}

	@Override
	public void stop() {
		this.sampling.stop();
	}

	@Override
	public boolean isRunning() {
		return this.sampling.isRunning();
	}

}
