package dev.ratelimit.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisReputationProvider} against a real Redis, standalone and a
 * 3-master cluster (one batch of callers spread over every slot).
 */
class RedisReputationProviderTests {

	private final String prefix = "reputation-" + UUID.randomUUID();

	@Test
	void readsEachCallersKeyAndLeavesOutTheUnknown() {
		readsABatch(TestRedisTemplate.get());
	}

	@Test
	void readsABatchSpreadOverTheSlotsOfACluster() {
		LettuceConnectionFactory cluster = LettuceConnectionFactories.startedCluster(RedisServers.sharedCluster());
		try {
			readsABatch(new StringRedisTemplate(cluster));
		}
		finally {
			cluster.destroy();
		}
	}

	private void readsABatch(StringRedisTemplate template) {
		List<String> scopes = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			String scope = "k:" + UUID.randomUUID();
			scopes.add(scope);
			template.opsForValue().set(RedisReputationProvider.key(this.prefix, scope), String.valueOf(i / 50.0));
		}
		template.opsForValue().set(RedisReputationProvider.key(this.prefix, "k:garbage"), "very good");
		template.opsForValue().set(RedisReputationProvider.key(this.prefix, "k:nan"), "NaN");
		List<String> asked = new ArrayList<>(scopes);
		asked.addAll(List.of("k:unknown", "k:garbage", "k:nan"));
		Map<String, Double> reputations = new RedisReputationProvider(template, this.prefix).reputations(asked);
		assertThat(reputations).hasSize(50).doesNotContainKeys("k:unknown", "k:garbage", "k:nan");
		for (int i = 0; i < 50; i++) {
			assertThat(reputations).containsEntry(scopes.get(i), i / 50.0);
		}
		assertThat(RedisReputationProvider.key("rl", "u:abc")).isEqualTo("rl:{u:abc}:reputation");
	}

}
