package dev.ratelimit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisRateLimiter} on a real three-master Redis Cluster: the check of
 * today, one script over the keys of one caller, routed to the master of the caller's
 * slot.
 *
 * @author rate-limit-spring-boot
 */
class RedisRateLimiterClusterTests {

	private static final List<LimitSpec> LIMITS = List.of(
			LimitSpec.of(3, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW),
			LimitSpec.of(5, Duration.ofHours(1), Algorithm.TOKEN_BUCKET),
			LimitSpec.of(4, Duration.ofMinutes(10), Algorithm.SLIDING_LOG));

	private static LettuceConnectionFactory connectionFactory;

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private final String prefix = "rl-cluster-" + UUID.randomUUID();

	private final RedisRateLimiter limiter = new RedisRateLimiter(connectionFactory, this.prefix, this.clock);

	@BeforeAll
	static void connect() {
		connectionFactory = LettuceConnectionFactories.startedCluster(RedisServers.sharedCluster());
	}

	@AfterAll
	static void destroy() {
		connectionFactory.destroy();
	}

	@Test
	void theFactoryTalksToAClusterOfThreeMasters() {
		assertThat(connectionFactory.isClusterAware()).isTrue();
		try (RedisClusterConnection connection = connectionFactory.getClusterConnection()) {
			assertThat(connection.clusterGetNodes()).hasSize(3).allMatch(RedisClusterNode::isMaster);
		}
	}

	@Test
	void everyKeyOfOneCallerSharesTheCallersSlot() {
		for (String scope : callersOnEveryMaster()) {
			RateLimitRequest request = request(scope);
			List<Integer> slots = LIMITS.stream()
				.map((limit) -> SlotHash.getSlot(request.key(this.prefix, limit)))
				.distinct()
				.toList();
			assertThat(slots).hasSize(1).containsExactly(SlotHash.getSlot(scope));
		}
	}

	@Test
	void callersOnDifferentMastersAreEachAdmittedExactlyTheirLimit() {
		List<String> callers = callersOnEveryMaster();
		for (String scope : callers) {
			List<Decision> decisions = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				decisions.add(this.limiter.check(request(scope)));
			}
			assertThat(decisions).extracting(Decision::isAllowed).containsExactly(true, true, true, false, false);
			assertThat(decisions.get(2).limits()).extracting((state) -> state.remaining()).containsExactly(0L, 2L, 1L);
			assertThat(decisions.get(3).binding().limit()).isEqualTo(LIMITS.get(0));
		}
		// The script wrote the caller's keys on the master of the caller's slot, and
		// nowhere else.
		StringRedisTemplate template = new StringRedisTemplate(connectionFactory);
		try (RedisClusterConnection connection = connectionFactory.getClusterConnection()) {
			for (String scope : callers) {
				for (LimitSpec limit : LIMITS) {
					String key = request(scope).key(this.prefix, limit);
					assertThat(template.hasKey(key)).as(key).isTrue();
					RedisClusterNode owner = connection.clusterGetNodeForKey(key.getBytes());
					assertThat(connection.clusterGetNodeForSlot(SlotHash.getSlot(scope))).isEqualTo(owner);
				}
			}
		}
	}

	@Test
	void concurrentChecksOfManyCallersAcrossTheSlotsAdmitExactlyTheLimit() throws Exception {
		List<String> callers = new ArrayList<>(callersOnEveryMaster());
		for (int i = 0; i < 9; i++) {
			callers.add("u:many-" + i);
		}
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			List<Callable<Boolean>> checks = new ArrayList<>();
			for (int attempt = 0; attempt < 10; attempt++) {
				for (String scope : callers) {
					// Half the checks block, half go through Lettuce's asynchronous
					// cluster commands.
					boolean async = (attempt % 2) == 0;
					checks
						.add(() -> async ? this.limiter.checkAsync(request(scope)).get(10, TimeUnit.SECONDS).isAllowed()
								: this.limiter.check(request(scope)).isAllowed());
				}
			}
			List<Future<Boolean>> results = executor.invokeAll(checks, 60, TimeUnit.SECONDS);
			Map<String, Integer> allowed = new HashMap<>();
			for (int i = 0; i < results.size(); i++) {
				if (results.get(i).get()) {
					allowed.merge(callers.get(i % callers.size()), 1, Integer::sum);
				}
			}
			assertThat(allowed).hasSize(callers.size()).allSatisfy((scope, count) -> assertThat(count).isEqualTo(3));
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void resetDeletesEveryKeyOfACallerWithOneCommandOnItsSlot() {
		String scope = callersOnEveryMaster().get(1);
		for (int i = 0; i < 3; i++) {
			this.limiter.check(request(scope));
		}
		assertThat(this.limiter.check(request(scope)).isAllowed()).isFalse();
		this.limiter.reset(request(scope));
		Decision afterReset = this.limiter.check(request(scope));
		assertThat(afterReset.isAllowed()).isTrue();
		assertThat(afterReset.limits().get(0).remaining()).isEqualTo(2);
	}

	private static RateLimitRequest request(String scope) {
		return new RateLimitRequest(scope, "op", LIMITS, 1);
	}

	/**
	 * Callers whose slots are served by each of the three masters, one per master.
	 */
	private static List<String> callersOnEveryMaster() {
		Map<RedisClusterNode, String> callers = new HashMap<>();
		try (RedisClusterConnection connection = connectionFactory.getClusterConnection()) {
			for (int i = 0; callers.size() < 3; i++) {
				String scope = "u:caller-" + i;
				callers.putIfAbsent(connection.clusterGetNodeForSlot(SlotHash.getSlot(scope)), scope);
			}
		}
		return callers.values().stream().sorted().toList();
	}

}
