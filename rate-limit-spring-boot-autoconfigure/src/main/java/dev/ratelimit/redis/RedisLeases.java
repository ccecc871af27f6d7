package dev.ratelimit.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import dev.ratelimit.core.Lease;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The concurrency leases this instance holds in Redis: new ids, the set of held leases,
 * their release and their batched renewal. A lease is held from the check that took it
 * until its release; the renewal moves the expiry of every held lease forward in one
 * script call per interval (one per scope on Redis Cluster, where scopes are slots), so
 * that only the leases of a dead instance expire.
 * <p>
 * Neither a release nor a renewal ever throws: while Redis cannot answer, a release is
 * dropped (the lease frees itself at its expiry) and a renewal is tried again at the next
 * interval.
 *
 * @author rate-limit-spring-boot
 */
final class RedisLeases implements Supplier<String> {

	private static final Log logger = LogFactory.getLog(RedisLeases.class);

	@SuppressWarnings("rawtypes")
	private static final LuaScript<List> RENEW = LuaScript.load("META-INF/scripts/rate-limit/renew.lua", List.class);

	private static final LuaScript<Long> RELEASE = LuaScript.load("META-INF/scripts/rate-limit/release.lua",
			Long.class);

	private final StringRedisTemplate template;

	private final String keyPrefix;

	private final boolean cluster;

	/** Unique per instance (and limiter), so that no two instances' lease ids collide. */
	private final String instanceId = UUID.randomUUID().toString().substring(0, 13);

	private final AtomicLong sequence = new AtomicLong();

	private final Set<Lease> held = ConcurrentHashMap.newKeySet();

	private final LongAdder freedByExpiry = new LongAdder();

	RedisLeases(StringRedisTemplate template, String keyPrefix, boolean cluster) {
		this.template = template;
		this.keyPrefix = keyPrefix;
		this.cluster = cluster;
	}

	/**
	 * A new lease id.
	 * @return the id, unique per instance and request
	 */
	@Override
	public String get() {
		return this.instanceId + ":" + Long.toString(this.sequence.incrementAndGet(), 36);
	}

	void acquired(List<Lease> leases) {
		this.held.addAll(leases);
	}

	void freedByExpiry(long count) {
		if (count > 0) {
			this.freedByExpiry.add(count);
		}
	}

	long freedByExpiry() {
		return this.freedByExpiry.sum();
	}

	/**
	 * The leases held now, for the operator's view.
	 * @return a snapshot of the held leases
	 */
	List<Lease> held() {
		return List.copyOf(this.held);
	}

	/**
	 * How many requests of an operation hold leases of this instance now.
	 * @param operation the canonical operation name
	 * @return the number of requests in flight
	 */
	long inFlight(String operation) {
		return this.held.stream()
			.filter((lease) -> lease.operation().equals(operation))
			.map(Lease::id)
			.distinct()
			.count();
	}

	void release(List<Lease> leases) {
		List<Lease> releasing = new ArrayList<>(leases.size());
		for (Lease lease : leases) {
			// Exactly once: a second release of the same lease finds it gone.
			if (this.held.remove(lease)) {
				releasing.add(lease);
			}
		}
		for (List<Lease> slot : bySlot(releasing)) {
			try {
				this.template.execute(RELEASE, keys(slot),
						(Object[]) slot.stream().map(Lease::id).toArray(String[]::new));
			}
			catch (RuntimeException ex) {
				// Dropped: the lease is not renewed any more, so it expires by itself.
				if (logger.isDebugEnabled()) {
					logger.debug("Could not release " + slot.size() + " lease(s); they expire by themselves", ex);
				}
			}
		}
	}

	/**
	 * Renew every held lease: one script call, or one per slot on Redis Cluster. A lease
	 * that Redis no longer has (it expired while Redis could not be reached) is lost and
	 * stops being renewed.
	 * @param now the script's "now" argument
	 * @return how many leases were renewed
	 */
	int renew(String now) {
		List<Lease> leases = List.copyOf(this.held);
		int renewed = 0;
		for (List<Lease> slot : bySlot(leases)) {
			String[] args = new String[1 + 2 * slot.size()];
			args[0] = now;
			for (int i = 0; i < slot.size(); i++) {
				args[1 + 2 * i] = slot.get(i).id();
				args[2 + 2 * i] = Long.toString(slot.get(i).limit().windowMicros());
			}
			try {
				List<?> reply = this.template.execute(RENEW, keys(slot), (Object[]) args);
				for (int i = 0; i < slot.size(); i++) {
					if (reply != null && reply.get(i) instanceof Number number && number.longValue() == 1) {
						renewed++;
					}
					else {
						this.held.remove(slot.get(i));
					}
				}
			}
			catch (RuntimeException ex) {
				if (logger.isDebugEnabled()) {
					logger.debug("Could not renew " + slot.size() + " lease(s); trying again at the next interval", ex);
				}
			}
		}
		return renewed;
	}

	private List<String> keys(List<Lease> leases) {
		return leases.stream().map((lease) -> lease.key(this.keyPrefix)).toList();
	}

	/**
	 * The leases in groups that one script call may touch: all of them outside Redis
	 * Cluster, one group per scope (hash slot) on it.
	 */
	private List<List<Lease>> bySlot(List<Lease> leases) {
		if (leases.isEmpty()) {
			return List.of();
		}
		if (!this.cluster) {
			return List.of(leases);
		}
		Map<String, List<Lease>> byScope = new LinkedHashMap<>();
		for (Lease lease : leases) {
			byScope.computeIfAbsent(lease.scope(), (scope) -> new ArrayList<>()).add(lease);
		}
		return List.copyOf(byScope.values());
	}

}
