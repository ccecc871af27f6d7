package dev.ratelimit.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.ratelimit.test.context.LettuceConnectionFactories;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link EmbeddedRedisCluster}, {@link RedisServers#sharedCluster()} and
 * {@link ExternalRedisCluster}.
 *
 * @author rate-limit-spring-boot
 */
class EmbeddedRedisClusterTests {

	@Test
	void sharedClusterIsOnePerJvmAndEveryMasterKnowsTheWholeCluster() throws IOException {
		RedisCluster cluster = RedisServers.sharedCluster();
		assertThat(RedisServers.sharedCluster()).isSameAs(cluster);
		assertThat(cluster.nodes()).hasSize(3);
		for (RedisServer node : cluster.nodes()) {
			String info = Resp.command(node.host(), node.port(), 1000, "CLUSTER", "INFO");
			assertThat(info).contains("cluster_state:ok\r\n", "cluster_slots_assigned:16384\r\n",
					"cluster_known_nodes:3\r\n", "cluster_size:3\r\n");
		}
		assertThat(cluster.nodeAddresses()).isEqualTo(
				String.join(",", cluster.nodes().stream().map((node) -> node.host() + ":" + node.port()).toList()));
	}

	@Test
	void eachKeyIsWrittenToTheOneMasterServingItsSlot() throws IOException {
		RedisCluster cluster = RedisServers.sharedCluster();
		LettuceConnectionFactory connectionFactory = LettuceConnectionFactories.startedCluster(cluster);
		try {
			StringRedisTemplate template = new StringRedisTemplate(connectionFactory);
			List<String> keys = List.of("cluster-test-{a}", "cluster-test-{b}", "cluster-test-{c}");
			keys.forEach((key) -> template.opsForValue().set(key, "v"));
			int[] keysPerNode = new int[3];
			for (String key : keys) {
				int owners = 0;
				for (int i = 0; i < 3; i++) {
					RedisServer node = cluster.nodes().get(i);
					// A master that does not serve the key's slot redirects: -MOVED.
					String reply = Resp.command(node.host(), node.port(), 1000, "EXISTS", key);
					if (reply.equals(":1")) {
						owners++;
						keysPerNode[i]++;
					}
					else {
						assertThat(reply).startsWith("-MOVED ");
					}
				}
				assertThat(owners).as(key).isOne();
			}
			// The hash tags put the keys in slots 15495 (a), 3300 (b) and 7365 (c): one
			// on
			// each master.
			assertThat(keysPerNode).containsExactly(1, 1, 1);
			template.delete(keys);
		}
		finally {
			connectionFactory.destroy();
		}
	}

	@Test
	void closeStopsEveryNodeAndDeletesItsDirectory() {
		EmbeddedRedisCluster cluster = new EmbeddedRedisCluster();
		List<RedisServer> nodes = cluster.nodes();
		List<Path> directories = nodes.stream().map((node) -> ((EmbeddedRedisServer) node).workingDirectory()).toList();
		assertThat(directories).allMatch(Files::isDirectory);
		cluster.close();
		assertThat(nodes).noneMatch((node) -> Resp.ping(node.host(), node.port(), 300));
		assertThat(directories).noneMatch(Files::exists);
	}

	@Test
	void slotsCanBeAssignedOneByOneForServersBeforeRedis7() throws IOException {
		try (EmbeddedRedisCluster cluster = new EmbeddedRedisCluster(false)) {
			RedisServer node = cluster.nodes().get(2);
			assertThat(Resp.command(node.host(), node.port(), 1000, "CLUSTER", "INFO")).contains("cluster_state:ok\r\n",
					"cluster_slots_assigned:16384\r\n");
			// 16384 / 3: the third master serves slots 10922 to 16383.
			assertThat(Resp.command(node.host(), node.port(), 1000, "CLUSTER", "COUNTKEYSINSLOT", "16383"))
				.isEqualTo(":0");
			assertThat(Resp.command(node.host(), node.port(), 1000, "CLUSTER", "NODES")).contains("myself,master")
				.contains(" 10922-16383");
		}
	}

	@Test
	void externalClusterParsesNodes() {
		ExternalRedisCluster cluster = new ExternalRedisCluster(" redis-a:7000, redis-b:7001 ,");
		assertThat(cluster.nodes()).extracting(RedisServer::host).containsExactly("redis-a", "redis-b");
		assertThat(cluster.nodes()).extracting(RedisServer::port).containsExactly(7000, 7001);
		assertThat(cluster.nodeAddresses()).isEqualTo("redis-a:7000,redis-b:7001");
	}

	@Test
	void externalClusterRejectsNodesWithoutAPort() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ExternalRedisCluster("redis-a"))
			.withMessageContaining("localhost:7000");
		assertThatIllegalArgumentException().isThrownBy(() -> new ExternalRedisCluster(" , "))
			.withMessageContaining("host1:7000");
	}

}
