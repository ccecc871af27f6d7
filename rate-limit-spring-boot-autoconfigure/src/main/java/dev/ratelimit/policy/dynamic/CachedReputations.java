package dev.ratelimit.policy.dynamic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.ratelimit.core.PeriodicTask;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Callers' reputations held in memory, so that a request reads its caller's reputation
 * without waiting on the {@link ReputationProvider}: a bounded map of the callers seen
 * recently, refreshed every interval on a daemon thread of its own in batches. A caller
 * seen for the first time has the {@linkplain ReputationProvider#UNKNOWN unknown}
 * reputation until the next refresh has read its own; a caller not seen for
 * {@value #IDLE_REFRESHES} refreshes is forgotten; once the map is full, callers it has
 * no room for keep the unknown reputation.
 *
 * @author rate-limit-spring-boot
 */
public final class CachedReputations implements SmartLifecycle {

	/**
	 * Refreshes a caller may go unseen before it is forgotten.
	 */
	static final int IDLE_REFRESHES = 60;

	/**
	 * Callers asked of the provider in one call.
	 */
	private static final int BATCH = 500;

	private static final Log logger = LogFactory.getLog(CachedReputations.class);

	private final ReputationProvider provider;

	private final int maxEntries;

	private final Map<String, Entry> entries = new ConcurrentHashMap<>();

	private final PeriodicTask refreshes;

	/**
	 * How many refreshes have run, read by requests to mark their caller as seen.
	 */
	private volatile long round;

	/**
	 * Create a cache; it refreshes once {@linkplain #start() started}.
	 * @param provider where reputations come from
	 * @param maxEntries the most callers held
	 * @param refreshInterval how often to refresh them
	 */
	public CachedReputations(ReputationProvider provider, int maxEntries, Duration refreshInterval) {
		this.provider = provider;
		this.maxEntries = maxEntries;
		this.refreshes = new PeriodicTask("rate-limit-reputation", this::refresh, refreshInterval);
	}

	/**
	 * A caller's reputation, from memory.
	 * @param scope the caller's hashed scope
	 * @return its reputation from 0 to 1; {@link ReputationProvider#UNKNOWN} until read
	 */
	public double reputation(String scope) {
		Entry entry = this.entries.get(scope);
		if (entry == null) {
			if (this.entries.size() >= this.maxEntries) {
				return ReputationProvider.UNKNOWN;
			}
			entry = this.entries.computeIfAbsent(scope, (key) -> new Entry(this.round));
		}
		long round = this.round;
		if (entry.seen != round) {
			entry.seen = round;
		}
		return entry.reputation;
	}

	/**
	 * Read the reputations of the callers held, in batches, and forget those not seen for
	 * a while (the background task does this every interval).
	 */
	public void refresh() {
		long round = this.round;
		List<String> scopes = new ArrayList<>();
		for (Iterator<Map.Entry<String, Entry>> iterator = this.entries.entrySet().iterator(); iterator.hasNext();) {
			Map.Entry<String, Entry> entry = iterator.next();
			if (round - entry.getValue().seen > IDLE_REFRESHES) {
				iterator.remove();
			}
			else {
				scopes.add(entry.getKey());
			}
		}
		try {
			for (int from = 0; from < scopes.size(); from += BATCH) {
				List<String> batch = scopes.subList(from, Math.min(scopes.size(), from + BATCH));
				Map<String, Double> read = this.provider.reputations(batch);
				for (String scope : batch) {
					Entry entry = this.entries.get(scope);
					if (entry != null) {
						entry.reputation = clamp(read.get(scope));
					}
				}
			}
		}
		catch (RuntimeException ex) {
			// Keep what is known; the next refresh tries again.
			logger.debug("Reputations could not be read; keeping the last known ones", ex);
		}
		this.round = round + 1;
	}

	private static double clamp(@Nullable Double reputation) {
		if (reputation == null || reputation.isNaN()) {
			return ReputationProvider.UNKNOWN;
		}
		return Math.min(1, Math.max(0, reputation));
	}

	@Override
	public void start() {
		this.refreshes.start();
	}

	@Override
	public void stop() {
		this.refreshes.stop();
	}

	@Override
	public boolean isRunning() {
		return this.refreshes.isRunning();
	}

	private static final class Entry {

		private volatile double reputation = ReputationProvider.UNKNOWN;

		private volatile long seen;

		private Entry(long seen) {
			this.seen = seen;
		}

	}

}
