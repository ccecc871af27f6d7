package dev.ratelimit.policy;

import java.time.Duration;

import dev.ratelimit.test.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryOverrideStoreTests {

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private final InMemoryOverrideStore store = new InMemoryOverrideStore(this.clock);

	@Test
	void findsAnOverrideUntilItExpires() {
		RateLimitOverride toPro = RateLimitOverride.tier("pro", this.clock.instant().plus(Duration.ofMinutes(10)));
		this.store.put("u:alice", toPro);
		assertThat(this.store.find("u:alice")).isEqualTo(toPro);
		assertThat(this.store.find("u:bob")).isNull();
		assertThat(this.store.findAll()).containsOnlyKeys("u:alice");
		this.clock.advance(Duration.ofMinutes(10));
		assertThat(this.store.find("u:alice")).isNull();
		assertThat(this.store.findAll()).isEmpty();
	}

	@Test
	void aNewOverrideReplacesTheOldOneAndRemovalLiftsIt() {
		this.store.put("u:alice", RateLimitOverride.tier("pro", this.clock.instant().plusSeconds(60)));
		RateLimitOverride doubled = RateLimitOverride.multiplier(2, this.clock.instant().plusSeconds(60));
		this.store.put("u:alice", doubled);
		assertThat(this.store.find("u:alice")).isEqualTo(doubled);
		assertThat(this.store.remove("u:alice")).isTrue();
		assertThat(this.store.remove("u:alice")).isFalse();
		assertThat(this.store.find("u:alice")).isNull();
	}

}
