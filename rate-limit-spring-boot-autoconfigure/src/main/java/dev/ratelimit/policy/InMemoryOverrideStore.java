package dev.ratelimit.policy;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * An {@link OverrideStore} of one instance, for applications without Redis. Expired
 * overrides are dropped when next looked up and whenever an override is set.
 *
 * @author rate-limit-spring-boot
 */
public final class InMemoryOverrideStore implements OverrideStore {

	private final Clock clock;

	private final Map<String, RateLimitOverride> overrides = new ConcurrentHashMap<>();

	public InMemoryOverrideStore(Clock clock) {
		this.clock = clock;
	}

	@Override
	public @Nullable RateLimitOverride find(String scope) {
		if (this.overrides.isEmpty()) {
			return null;
		}
		RateLimitOverride override = this.overrides.get(scope);
		if (override != null && !override.isActiveAt(this.clock.instant())) {
			this.overrides.remove(scope, override);
			return null;
		}
		return override;
	}

	@Override
	public Map<String, RateLimitOverride> findAll() {
		removeExpired();
		return RateLimitOverride.activeAt(this.overrides, this.clock.instant());
	}

	@Override
	public void put(String scope, RateLimitOverride override) {
		removeExpired();
		this.overrides.put(scope, override);
	}

	@Override
	public boolean remove(String scope) {
		return this.overrides.remove(scope) != null;
	}

	private void removeExpired() {
		Instant now = this.clock.instant();
		this.overrides.values().removeIf((override) -> !override.isActiveAt(now));
	}

}
