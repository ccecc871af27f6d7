package dev.ratelimit.test;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a real Redis server for tests and demos, whatever the machine offers.
 *
 * @author rate-limit-spring-boot
 */
public final class RedisServers {

	/**
	 * The environment variable that names an external Redis, e.g.
	 * {@code redis://localhost:6379}.
	 */
	public static final String URL_ENVIRONMENT_VARIABLE = "RATE_LIMIT_TEST_REDIS_URL";

	/**
	 * The environment variable that names a {@code redis-server} executable for
	 * {@link EmbeddedRedisServer} and {@link EmbeddedRedisCluster} to start instead of
	 * the binary shipped in {@code org.signal:embedded-redis}, e.g.
	 * {@code /usr/bin/redis-server}.
	 */
	public static final String SERVER_BINARY_ENVIRONMENT_VARIABLE = "RATE_LIMIT_TEST_REDIS_SERVER_BINARY";

	/**
	 * The environment variable that names the nodes of an external Redis Cluster, e.g.
	 * {@code localhost:7000,localhost:7001,localhost:7002}.
	 */
	public static final String CLUSTER_NODES_ENVIRONMENT_VARIABLE = "RATE_LIMIT_TEST_REDIS_CLUSTER_NODES";

	private static final String TESTCONTAINERS_CLASS = "org.testcontainers.DockerClientFactory";

	private static final Logger logger = LoggerFactory.getLogger(RedisServers.class);

	private static @Nullable RedisServer shared;

	private static @Nullable RedisCluster sharedCluster;

	private RedisServers() {
	}

	/**
	 * The one Redis server of this JVM, started on first use and shared by every caller,
	 * chosen as:
	 * <ol>
	 * <li>the external server named by {@value #URL_ENVIRONMENT_VARIABLE}, when set;</li>
	 * <li>a {@code redis:7-alpine} container, when Testcontainers is on the class path
	 * and Docker is available;</li>
	 * <li>an {@link EmbeddedRedisServer}.</li>
	 * </ol>
	 * Callers share its data: isolate tests with unique key prefixes rather than by
	 * flushing. Only an embedded server supports every lifecycle method; failure tests
	 * should start their own {@link EmbeddedRedisServer} rather than stop the shared one.
	 * @return the shared server
	 */
	public static synchronized RedisServer shared() {
		if (shared == null) {
			shared = create();
		}
		return shared;
	}

	/**
	 * The one Redis Cluster of this JVM, started on first use and shared by every caller,
	 * chosen as:
	 * <ol>
	 * <li>the external cluster whose nodes {@value #CLUSTER_NODES_ENVIRONMENT_VARIABLE}
	 * names, when set;</li>
	 * <li>an {@link EmbeddedRedisCluster} of three masters (a few seconds to form, once
	 * per JVM).</li>
	 * </ol>
	 * Callers share its data: isolate tests with unique key prefixes rather than by
	 * flushing.
	 * @return the shared cluster
	 */
	public static synchronized RedisCluster sharedCluster() {
		if (sharedCluster == null) {
			sharedCluster = createCluster();
		}
		return sharedCluster;
	}

	private static RedisCluster createCluster() {
		String nodes = System.getenv(CLUSTER_NODES_ENVIRONMENT_VARIABLE);
		if (nodes != null && !nodes.isBlank()) {
			RedisCluster cluster = new ExternalRedisCluster(nodes);
			logger.info("Using the external Redis Cluster at {} ({})", cluster.nodeAddresses(),
					CLUSTER_NODES_ENVIRONMENT_VARIABLE);
			return cluster;
		}
		RedisCluster cluster = new EmbeddedRedisCluster();
		logger.info("Using an embedded Redis Cluster at {} (no {} set)", cluster.nodeAddresses(),
				CLUSTER_NODES_ENVIRONMENT_VARIABLE);
		return cluster;
	}

	private static RedisServer create() {
		String url = System.getenv(URL_ENVIRONMENT_VARIABLE);
		if (url != null && !url.isBlank()) {
			RedisServer server = new ExternalRedisServer(url);
			logger.info("Using the external Redis at {} ({})", server.url(), URL_ENVIRONMENT_VARIABLE);
			return server;
		}
		if (isTestcontainersPresent() && TestcontainersRedisServer.isDockerAvailable()) {
			RedisServer server = TestcontainersRedisServer.launch();
			logger.info("Using a Testcontainers Redis at {}", server.url());
			return server;
		}
		RedisServer server = new EmbeddedRedisServer();
		logger.info("Using an embedded redis-server at {} (no {} set, Docker not available)", server.url(),
				URL_ENVIRONMENT_VARIABLE);
		return server;
	}

	private static boolean isTestcontainersPresent() {
		try {
			Class.forName(TESTCONTAINERS_CLASS, false, RedisServers.class.getClassLoader());
			return true;
		}
		catch (Throwable ex) {
			return false;
		}
	}

}
