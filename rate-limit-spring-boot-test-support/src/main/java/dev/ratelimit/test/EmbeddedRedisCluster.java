package dev.ratelimit.test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster of three masters on {@code 127.0.0.1}: three {@code redis-server}
 * processes started with {@code --cluster-enabled yes} from the same binary as
 * {@link EmbeddedRedisServer}, and formed without {@code redis-cli}. Each master serves a
 * third of the 16384 hash slots; there are no replicas (tests need several slots on
 * several processes, not failover).
 * <p>
 * Construction starts the nodes, assigns the slots ({@code CLUSTER ADDSLOTSRANGE}, or
 * {@code CLUSTER ADDSLOTS} before Redis 7), introduces the nodes to each other
 * ({@code CLUSTER MEET}) and waits until every node reports {@code cluster_state:ok} and
 * knows every node and slot. The nodes keep no data on disk and are killed, with their
 * directories, on {@link #close()} and, at the latest, when the JVM shuts down.
 *
 * @author rate-limit-spring-boot
 */
public final class EmbeddedRedisCluster implements RedisCluster, AutoCloseable {

	/**
	 * The number of hash slots of every Redis Cluster.
	 */
	static final int SLOTS = 16384;

	private static final int MASTERS = 3;

	private static final long FORMATION_TIMEOUT_MILLIS = 20_000;

	private static final int COMMAND_TIMEOUT_MILLIS = 2000;

	/**
	 * How many slots one {@code CLUSTER ADDSLOTS} names when {@code ADDSLOTSRANGE} is not
	 * available.
	 */
	private static final int ADDSLOTS_BATCH = 1024;

	private static final Pattern VERSION = Pattern.compile("redis_version:(\\d+)\\.");

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedRedisCluster.class);

	private final List<EmbeddedRedisServer> nodes = new ArrayList<>(MASTERS);

	/**
	 * Start three masters on free ports and form a cluster of them.
	 * @throws IllegalStateException when a node does not start or the cluster is not
	 * formed within 20 seconds
	 */
	public EmbeddedRedisCluster() {
		this(null);
	}

	/**
	 * Start three masters and form a cluster, assigning slots as told.
	 * @param slotRanges whether to assign slots with {@code CLUSTER ADDSLOTSRANGE} or
	 * with {@code CLUSTER ADDSLOTS}; {@code null} to use ranges where the server has them
	 * (Redis 7 and later)
	 */
	EmbeddedRedisCluster(@Nullable Boolean slotRanges) {
		long start = System.nanoTime();
		try {
			for (int i = 0; i < MASTERS; i++) {
				this.nodes.add(EmbeddedRedisServer.clusterNode());
			}
			form((slotRanges != null) ? slotRanges : majorVersion(this.nodes.get(0)) >= 7);
		}
		catch (RuntimeException ex) {
			close();
			throw ex;
		}
		logger.info("Formed a Redis Cluster of {} masters at {} in {} ms", MASTERS, nodeAddresses(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
	}

	@Override
	public List<RedisServer> nodes() {
		return List.copyOf(this.nodes);
	}

	/**
	 * Stop every node and delete its working directory.
	 */
	@Override
	public void close() {
		this.nodes.forEach(EmbeddedRedisServer::close);
	}

	@Override
	public String toString() {
		return "EmbeddedRedisCluster[" + nodeAddresses() + "]";
	}

	private void form(boolean ranges) {
		for (int i = 0; i < MASTERS; i++) {
			EmbeddedRedisServer node = this.nodes.get(i);
			// Distinct config epochs from the start, as redis-cli --cluster create sets
			// them, so that the nodes need not resolve a collision before they agree.
			expectOk(node, "CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
			int first = i * SLOTS / MASTERS;
			int last = (i + 1) * SLOTS / MASTERS - 1;
			if (ranges) {
				expectOk(node, "CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last));
			}
			else {
				addSlots(node, first, last);
			}
		}
		EmbeddedRedisServer seed = this.nodes.get(0);
		for (EmbeddedRedisServer node : this.nodes.subList(1, MASTERS)) {
			expectOk(seed, "CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
		}
		awaitFormed();
	}

	private static void addSlots(RedisServer node, int first, int last) {
		for (int from = first; from <= last; from += ADDSLOTS_BATCH) {
			int to = Math.min(last, from + ADDSLOTS_BATCH - 1);
			List<String> command = new ArrayList<>();
			command.add("CLUSTER");
			command.add("ADDSLOTS");
			for (int slot = from; slot <= to; slot++) {
				command.add(Integer.toString(slot));
			}
			expectOk(node, command.toArray(String[]::new));
		}
	}

	private void awaitFormed() {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FORMATION_TIMEOUT_MILLIS);
		while (true) {
			List<String> pending = new ArrayList<>();
			for (EmbeddedRedisServer node : this.nodes) {
				String info = command(node, "CLUSTER", "INFO");
				if (!isFormed(info)) {
					pending.add(node.url() + ":\n" + info.trim());
				}
			}
			if (pending.isEmpty()) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The Redis Cluster at " + nodeAddresses() + " did not form within "
						+ FORMATION_TIMEOUT_MILLIS + "ms; not ready:\n" + String.join("\n", pending));
			}
			sleep(50);
		}
	}

	private static boolean isFormed(String info) {
		// A master says ok only once it has seen every slot served (and, after a start,
		// waited a moment for a cluster to reconfigure it); all three fields together
		// mean that this node knows every node and every slot.
		return info.contains("cluster_state:ok\r\n") && info.contains("cluster_slots_assigned:" + SLOTS + "\r\n")
				&& info.contains("cluster_known_nodes:" + MASTERS + "\r\n");
	}

	private static int majorVersion(RedisServer node) {
		String info = command(node, "INFO", "server");
		Matcher matcher = VERSION.matcher(info);
		if (!matcher.find()) {
			throw new IllegalStateException("No redis_version in INFO server of " + node.url() + ":\n" + info);
		}
		return Integer.parseInt(matcher.group(1));
	}

	private static void expectOk(RedisServer node, String... command) {
		String reply = command(node, command);
		if (!"+OK".equals(reply)) {
			throw new IllegalStateException(name(command) + " on " + node.url() + " failed: " + reply);
		}
	}

	private static String command(RedisServer node, String... command) {
		try {
			return Resp.command(node.host(), node.port(), COMMAND_TIMEOUT_MILLIS, command);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not send " + name(command) + " to " + node.url(), ex);
		}
	}

	private static String name(String... command) {
		// The command and its subcommand: ADDSLOTS names up to a thousand slots.
		return (command.length > 1) ? command[0] + " " + command[1] : command[0];
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while forming a Redis Cluster", ex);
		}
	}

}
