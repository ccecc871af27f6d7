package dev.ratelimit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.test.CommandStats;
import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnectionCommands;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisFleet}: several instances' heartbeats on a real redis-server of
 * its own, which one test stops.
 *
 * @author rate-limit-spring-boot
 */
class RedisFleetTests {

	/**
	 * Short, so that an instance expires quickly; long enough that a busy machine does
	 * not miss a lifetime of heartbeats.
	 */
	private static final Duration INTERVAL = Duration.ofMillis(200);

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static EmbeddedRedisServer server;

	private static LettuceConnectionFactory connectionFactory;

	private static StringRedisTemplate redis;

	private final String prefix = "rl-fleet-" + UUID.randomUUID();

	private final List<RedisFleet> fleets = new ArrayList<>();

	private boolean disturbed;

	@BeforeAll
	static void startRedis() {
		server = new EmbeddedRedisServer();
		connectionFactory = LettuceConnectionFactories.started(server, Duration.ofSeconds(2));
		redis = new StringRedisTemplate(connectionFactory);
	}

	@AfterAll
	static void closeRedis() {
		connectionFactory.destroy();
		server.close();
	}

	@BeforeEach
	void awaitRedis() {
		await().atMost(WAIT).ignoreExceptions().until(() -> "PONG".equals(ping()));
	}

	@AfterEach
	void stopFleets() {
		this.fleets.forEach(RedisFleet::stop);
		if (this.disturbed) {
			server.start();
		}
	}

	@Test
	void keyHasAHashTagOfItsOwn() {
		assertThat(fleet().getKey()).isEqualTo(this.prefix + ":{fleet}:instances");
	}

	@Test
	void instancesOnOneRedisCountTheSameFleet() {
		List<RedisFleet> fleets = List.of(fleet(), fleet(), fleet());
		fleets.forEach(RedisFleet::start);
		await().atMost(WAIT).until(() -> fleets.stream().allMatch((fleet) -> fleet.instances() == 3));
		assertThat(fleets).allMatch(RedisFleet::isCounted).noneMatch(RedisFleet::isFailing);
		String key = fleets.get(0).getKey();
		assertThat(redis.opsForZSet().zCard(key)).isEqualTo(3);
		// Scored by Redis TIME, the one clock every instance shares.
		long redisTime = redisTime();
		Double score = redis.opsForZSet().score(key, fleets.get(1).getInstanceId());
		assertThat(score).isNotNull();
		assertThat(redisTime - score.longValue()).isBetween(0L, WAIT.toMillis());
		// The key expires when nobody beats any more.
		assertThat(redis.getExpire(key, TimeUnit.MILLISECONDS)).isPositive();
	}

	@Test
	void stoppedInstanceLeavesTheFleetAtOnce() {
		// Beats every 5s: a heartbeat counts for 15s, so only leaving removes the member
		// sooner.
		RedisFleet leaving = fleet(Duration.ofSeconds(5));
		RedisFleet staying = fleet(Duration.ofSeconds(5));
		leaving.start();
		await().atMost(WAIT).until(leaving::isCounted);
		staying.start();
		await().atMost(WAIT).until(() -> staying.instances() == 2);
		leaving.stop();
		assertThat(redis.opsForZSet().score(staying.getKey(), leaving.getInstanceId())).isNull();
		await().atMost(WAIT).until(() -> staying.instances() == 1);
	}

	@Test
	void instanceThatStopsBeatingIsDroppedAfterThreeIntervals() {
		RedisFleet fleet = fleet();
		fleet.start();
		await().atMost(WAIT).until(fleet::isCounted);
		// What a crashed instance leaves behind: a heartbeat that is never refreshed.
		redis.opsForZSet().add(fleet.getKey(), "crashed", redisTime());
		await().atMost(WAIT).until(() -> fleet.instances() == 2);
		await().atMost(WAIT).until(() -> fleet.instances() == 1);
		assertThat(redis.opsForZSet().score(fleet.getKey(), "crashed")).isNull();
	}

	@Test
	void countIsRememberedWhileRedisIsDown() {
		RedisFleet first = fleet();
		RedisFleet second = fleet();
		first.start();
		second.start();
		await().atMost(WAIT).until(() -> first.instances() == 2 && second.instances() == 2);
		this.disturbed = true;
		server.stop();
		await().atMost(WAIT).until(() -> first.isFailing() && second.isFailing());
		assertThat(first.instances()).isEqualTo(2);
		assertThat(second.instances()).isEqualTo(2);
		server.start();
		// A restarted Redis has lost the set: every instance adds itself again.
		await().atMost(WAIT).until(() -> !first.isFailing() && first.instances() == 2 && second.instances() == 2);
	}

	@Test
	void heartbeatsRunNoScriptSoThatScriptCallsAreTheChecks() {
		RedisFleet fleet = fleet();
		long before = scriptCalls();
		fleet.beat();
		fleet.beat();
		assertThat(fleet.isCounted()).isTrue();
		assertThat(scriptCalls()).isEqualTo(before);
	}

	@Test
	void instanceThatNeverReachedRedisCountsItselfAlone() {
		RedisFleet fleet = fleet();
		assertThat(fleet.instances()).isEqualTo(1);
		assertThat(fleet.isCounted()).isFalse();
	}

	private RedisFleet fleet() {
		return fleet(INTERVAL);
	}

	private RedisFleet fleet(Duration interval) {
		RedisFleet fleet = new RedisFleet(redis, this.prefix, interval);
		this.fleets.add(fleet);
		return fleet;
	}

	private static long redisTime() {
		Long time = redis.execute((RedisCallback<Long>) (connection) -> connection.serverCommands().time());
		assertThat(time).isNotNull();
		return time;
	}

	private static long scriptCalls() {
		Properties stats = redis
			.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().info("commandstats"));
		assertThat(stats).isNotNull();
		return CommandStats.scriptCalls(stats);
	}

	private static String ping() {
		return redis.execute((RedisCallback<String>) RedisConnectionCommands::ping);
	}

}
