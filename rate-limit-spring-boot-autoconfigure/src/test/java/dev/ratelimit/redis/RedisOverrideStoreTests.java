package dev.ratelimit.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.test.CommandStats;
import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The override store against a real Redis. Tests call
 * {@link RedisOverrideStore#refresh()} themselves rather than wait for the background
 * refresh, except where the background refresh is what is tested.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisOverrideStoreTests {

	private final StringRedisTemplate template = TestRedisTemplate.get();

	private final String prefix = "overrides-" + UUID.randomUUID();

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private final RedisOverrideStore store = newStore();

	private final RedisOverrideStore otherInstance = newStore();

	@Test
	void appliesAtOnceWhereItWasSetAndOnOtherInstancesOnceTheyRefresh() {
		RateLimitOverride toPro = RateLimitOverride.tier("pro", in(Duration.ofMinutes(10)));
		this.otherInstance.refresh();
		this.store.put("u:alice", toPro);
		assertThat(this.store.find("u:alice")).isEqualTo(toPro);
		assertThat(this.otherInstance.find("u:alice")).isNull();
		this.otherInstance.refresh();
		assertThat(this.otherInstance.find("u:alice")).isEqualTo(toPro);
		assertThat(this.otherInstance.findAll()).containsOnlyKeys("u:alice");
	}

	@Test
	void multipliersAndTiersSurviveTheRoundTrip() {
		RateLimitOverride doubled = RateLimitOverride.multiplier(2.5, in(Duration.ofHours(1)));
		RateLimitOverride toTier = RateLimitOverride.tier("gold|plus", in(Duration.ofHours(1)));
		this.store.put("u:bob", doubled);
		this.store.put("k:carol", toTier);
		this.otherInstance.refresh();
		assertThat(this.otherInstance.find("u:bob")).isEqualTo(doubled);
		assertThat(this.otherInstance.find("k:carol")).isEqualTo(toTier);
	}

	@Test
	void removalReachesOtherInstances() {
		this.store.put("u:alice", RateLimitOverride.tier("pro", in(Duration.ofMinutes(10))));
		this.otherInstance.refresh();
		assertThat(this.otherInstance.remove("u:alice")).isTrue();
		assertThat(this.otherInstance.find("u:alice")).isNull();
		this.store.refresh();
		assertThat(this.store.find("u:alice")).isNull();
		assertThat(this.store.remove("u:alice")).isFalse();
	}

	@Test
	void expiresEverywhereWithoutAnotherWrite() {
		this.store.put("u:alice", RateLimitOverride.tier("pro", in(Duration.ofMinutes(10))));
		this.otherInstance.refresh();
		this.clock.advance(Duration.ofMinutes(10).minusMillis(1));
		assertThat(this.otherInstance.find("u:alice")).isNotNull();
		this.clock.advance(Duration.ofMillis(1));
		assertThat(this.store.find("u:alice")).isNull();
		assertThat(this.otherInstance.find("u:alice")).isNull();
		assertThat(this.otherInstance.findAll()).isEmpty();
	}

	@Test
	void expiredOverridesAreDeletedByTheNextWriteAndTheHashExpiresWithItsLastOverride() {
		this.store.put("u:alice", RateLimitOverride.tier("pro", in(Duration.ofMinutes(1))));
		this.store.put("u:bob", RateLimitOverride.tier("pro", in(Duration.ofMinutes(5))));
		this.clock.advance(Duration.ofMinutes(2));
		this.store.put("u:carol", RateLimitOverride.multiplier(2, in(Duration.ofMinutes(1))));
		assertThat(this.template.opsForHash().keys(hashKey())).containsExactlyInAnyOrder("u:bob", "u:carol");
		// The hash expires when bob's override does (the clock is in 2030, so Redis sees
		// that far).
		Long expiresAt = this.template.execute(RedisScript.of("return redis.call('PEXPIRETIME', KEYS[1])", Long.class),
				List.of(hashKey()));
		assertThat(expiresAt).isEqualTo(Instant.parse("2030-01-01T00:05:00Z").toEpochMilli());
	}

	@Test
	void refreshReadsTheOverridesOnlyWhenTheVersionChanged() {
		this.store.put("u:alice", RateLimitOverride.tier("pro", in(Duration.ofMinutes(10))));
		this.otherInstance.refresh();
		long reads = hashReads();
		this.otherInstance.refresh();
		this.otherInstance.refresh();
		assertThat(hashReads()).isEqualTo(reads);
		this.store.put("u:bob", RateLimitOverride.tier("pro", in(Duration.ofMinutes(10))));
		reads = hashReads();
		this.otherInstance.refresh();
		assertThat(hashReads()).isEqualTo(reads + 1);
	}

	@Test
	void valuesItCannotReadAreIgnored() {
		this.template.opsForHash().put(hashKey(), "u:mallory", "not an override");
		this.template.opsForHash().put(hashKey(), "u:eve", "123|x|unknown-kind");
		this.template.opsForHash().put(hashKey(), "u:trent", "123|m|-2");
		this.template.opsForValue().increment(hashKey() + ":version");
		this.store.put("u:alice", RateLimitOverride.tier("pro", in(Duration.ofMinutes(10))));
		this.otherInstance.refresh();
		assertThat(this.otherInstance.findAll()).containsOnlyKeys("u:alice");
	}

	@Test
	void refreshesInTheBackgroundWhileStarted() {
		RedisOverrideStore started = newStore();
		started.start();
		try {
			assertThat(started.isRunning()).isTrue();
			this.store.put("u:alice", RateLimitOverride.tier("pro", in(Duration.ofMinutes(10))));
			await().atMost(Duration.ofSeconds(5)).until(() -> started.find("u:alice") != null);
		}
		finally {
			started.stop();
		}
		assertThat(started.isRunning()).isFalse();
	}

	@Test
	void keepsTheLastOverridesWhileRedisIsDownAndSaysSoOnce(CapturedOutput output) {
		try (EmbeddedRedisServer redis = new EmbeddedRedisServer()) {
			LettuceConnectionFactory connectionFactory = LettuceConnectionFactories.started(redis,
					Duration.ofMillis(200));
			try {
				StringRedisTemplate template = new StringRedisTemplate(connectionFactory);
				RedisOverrideStore writer = new RedisOverrideStore(template, this.prefix, this.clock,
						Duration.ofSeconds(1));
				RedisOverrideStore reader = new RedisOverrideStore(template, this.prefix, this.clock,
						Duration.ofSeconds(1));
				RateLimitOverride toPro = RateLimitOverride.tier("pro", in(Duration.ofMinutes(10)));
				writer.put("u:alice", toPro);
				reader.refresh();
				redis.stop();
				reader.refresh();
				reader.refresh();
				reader.refresh();
				assertThat(reader.find("u:alice")).isEqualTo(toPro);
				assertThat(output.getOut().split("Cannot read rate limit overrides", -1)).hasSize(2);
				redis.start();
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					reader.refresh();
					assertThat(output.getOut()).contains("Reading rate limit overrides from Redis again");
				});
				// A restarted Redis without persistence lost the overrides: so does the
				// reader.
				assertThat(reader.find("u:alice")).isNull();
			}
			finally {
				connectionFactory.destroy();
			}
		}
	}

	private RedisOverrideStore newStore() {
		return new RedisOverrideStore(this.template, this.prefix, this.clock, Duration.ofMillis(20));
	}

	private Instant in(Duration duration) {
		return this.clock.instant().plus(duration);
	}

	private String hashKey() {
		return this.prefix + ":{overrides}";
	}

	private long hashReads() {
		Properties stats = this.template
			.execute((RedisConnection connection) -> connection.serverCommands().info("commandstats"));
		return CommandStats.calls(stats, "cmdstat_hgetall");
	}

}
