package dev.ratelimit.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code redis-server} process on {@code 127.0.0.1}, started from the statically
 * linked binaries that the {@code org.signal:embedded-redis} artifact ships as class path
 * resources (only the binaries are used, not that library's Java API). Nothing has to be
 * installed by hand; {@value RedisServers#SERVER_BINARY_ENVIRONMENT_VARIABLE} names
 * another binary when set.
 * <p>
 * The server keeps no data on disk ({@code --save "" --appendonly no}) and is killed on
 * {@link #close()} and, at the latest, when the JVM shuts down. Construction starts it
 * and waits until it answers {@code PING}.
 *
 * @author rate-limit-spring-boot
 */
public final class EmbeddedRedisServer implements RedisServer, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedRedisServer.class);

	private static final String HOST = "127.0.0.1";

	private static final long STARTUP_TIMEOUT_MILLIS = 15_000;

	private static final int OUTPUT_LINES_KEPT = 40;

	/**
	 * Servers not closed yet: killed, and their directories deleted, when the JVM shuts
	 * down.
	 */
	private static final Set<EmbeddedRedisServer> open = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> open.forEach(EmbeddedRedisServer::kill), "embedded-redis-shutdown"));
	}

	/**
	 * The file a cluster node keeps its view of the cluster in, inside its working
	 * directory.
	 */
	private static final String CLUSTER_CONFIG_FILE = "nodes.conf";

	private final int port;

	private final boolean clusterEnabled;

	private final Path workingDirectory;

	private final Deque<String> output = new ArrayDeque<>();

	private @Nullable Process process;

	private volatile @Nullable Thread drainer;

	private boolean suspended;

	/**
	 * Start a server on a free port.
	 */
	public EmbeddedRedisServer() {
		this(0);
	}

	/**
	 * Start a server on the given port, or on a free port when it is {@code 0}.
	 * @param port the port, or {@code 0}
	 */
	public EmbeddedRedisServer(int port) {
		this(port, false);
	}

	private EmbeddedRedisServer(int port, boolean clusterEnabled) {
		this.clusterEnabled = clusterEnabled;
		this.workingDirectory = createWorkingDirectory();
		open.add(this);
		this.port = (port != 0) ? port : startOnFreePort();
		if (port != 0) {
			start();
		}
	}

	/**
	 * Start a server with cluster support enabled on a free port: a node that knows no
	 * other nodes and serves no slots yet ({@link EmbeddedRedisCluster} forms the
	 * cluster).
	 * @return the started node
	 */
	static EmbeddedRedisServer clusterNode() {
		return new EmbeddedRedisServer(0, true);
	}

	@Override
	public String host() {
		return HOST;
	}

	@Override
	public int port() {
		return this.port;
	}

	/**
	 * The directory the server runs in: gone while a standalone server runs, kept until
	 * {@link #close()} for a cluster node.
	 * @return the working directory
	 */
	Path workingDirectory() {
		return this.workingDirectory;
	}

	@Override
	public boolean supportsStopStart() {
		return true;
	}

	@Override
	public boolean supportsSuspend() {
		return true;
	}

	/**
	 * Start the server again on the same port after {@link #stop()}; does nothing when it
	 * is running.
	 */
	@Override
	public synchronized void start() {
		if (this.process != null && this.process.isAlive()) {
			return;
		}
		this.process = launch(this.port);
		this.suspended = false;
		awaitPong(this.process, this.port);
		logger.info("Started redis-server {} on {} (pid {})", RedisServerBinary.describe(), url(), this.process.pid());
	}

	/**
	 * Stop the server (even a suspended one) and wait until it is gone.
	 */
	@Override
	public synchronized void stop() {
		Process process = this.process;
		if (process == null) {
			return;
		}
		if (this.suspended) {
			resume();
		}
		process.destroy();
		try {
			if (!process.waitFor(5, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
		}
		this.process = null;
		logger.info("Stopped redis-server on {}", url());
	}

	@Override
	public synchronized void suspend() {
		signal("STOP");
		this.suspended = true;
	}

	@Override
	public synchronized void resume() {
		signal("CONT");
		this.suspended = false;
	}

	/**
	 * Stop the server and delete its working directory.
	 */
	@Override
	public void close() {
		stop();
		deleteRecursively(this.workingDirectory);
		open.remove(this);
	}

	@Override
	public String toString() {
		return "EmbeddedRedisServer[" + url() + "]";
	}

	private int startOnFreePort() {
		// Another process can take a free port between our probe and redis binding it, so
		// retry with a fresh port when the server does not come up.
		IllegalStateException failure = null;
		for (int attempt = 0; attempt < 5; attempt++) {
			int candidate = findFreePort();
			try {
				this.process = launch(candidate);
				awaitPong(this.process, candidate);
				logger.info("Started redis-server {} on redis://{}:{} (pid {})", RedisServerBinary.describe(), HOST,
						candidate, this.process.pid());
				return candidate;
			}
			catch (IllegalStateException ex) {
				failure = ex;
				if (this.process != null) {
					this.process.destroyForcibly();
				}
				this.process = null;
			}
		}
		throw failure;
	}

	private Process launch(int port) {
		List<String> command = new ArrayList<>();
		command.add(RedisServerBinary.path().toString());
		add(command, "--port", Integer.toString(port));
		add(command, "--bind", HOST);
		add(command, "--save", "");
		add(command, "--appendonly", "no");
		add(command, "--protected-mode", "yes");
		add(command, "--daemonize", "no");
		// redis-server changes into its directory at startup and, with persistence off,
		// never writes there. The directory is deleted as soon as the server answers (see
		// awaitPong) and created again for a restart, so nothing is left behind even when
		// the JVM is killed. A cluster node is the exception: it rewrites its cluster
		// config file there whenever its view of the cluster changes (and exits when it
		// cannot), so its directory lives until close().
		createDirectory(this.workingDirectory);
		add(command, "--dir", this.workingDirectory.toString());
		if (this.clusterEnabled) {
			add(command, "--cluster-enabled", "yes");
			add(command, "--cluster-config-file", CLUSTER_CONFIG_FILE);
		}
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.workingDirectory.toFile())
			.redirectErrorStream(true);
		synchronized (this.output) {
			this.output.clear();
		}
		Process process = exec(builder);
		Thread drain = new Thread(() -> drain(process.getInputStream(), port), "embedded-redis-" + port);
		drain.setDaemon(true);
		drain.start();
		this.drainer = drain;
		return process;
	}

	private static void add(List<String> command, String option, String value) {
		command.add(option);
		command.add(value);
	}

	private static Process exec(ProcessBuilder builder) {
		// A freshly written executable can briefly fail with ETXTBSY ("Text file busy")
		// while a concurrently forked child still holds the descriptor it was written
		// through.
		IOException failure = null;
		for (int attempt = 0; attempt < 10; attempt++) {
			try {
				return builder.start();
			}
			catch (IOException ex) {
				failure = ex;
				sleep(50);
			}
		}
		throw new UncheckedIOException("Could not start " + builder.command(), failure);
	}

	private void drain(InputStream stream, int port) {
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				logger.debug("redis-server:{} {}", port, line);
				synchronized (this.output) {
					if (this.output.size() == OUTPUT_LINES_KEPT) {
						this.output.removeFirst();
					}
					this.output.addLast(line);
				}
			}
		}
		catch (IOException ex) {
			// The process is gone; nothing left to drain.
		}
	}

	private void awaitPong(Process process, int port) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_TIMEOUT_MILLIS);
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				awaitOutput();
				throw new IllegalStateException("redis-server on port " + port + " exited with code "
						+ process.exitValue() + ":\n" + recentOutput());
			}
			if (Resp.ping(HOST, port, 200)) {
				// Make sure it is our server that answered, not another one that owns the
				// port.
				if (isServedBy(process, port)) {
					if (!this.clusterEnabled) {
						deleteRecursively(this.workingDirectory);
					}
					return;
				}
			}
			sleep(20);
		}
		process.destroyForcibly();
		throw new IllegalStateException(
				"redis-server did not answer PING within " + STARTUP_TIMEOUT_MILLIS + "ms:\n" + recentOutput());
	}

	private void awaitOutput() {
		// The output is drained on another thread, which ends with the stream once the
		// process has exited; wait for it so the error message shows why the server
		// exited.
		Thread drainer = this.drainer;
		if (drainer != null) {
			try {
				drainer.join(1000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private static boolean isServedBy(Process process, int port) {
		try {
			String info = Resp.command(HOST, port, 1000, "INFO", "server");
			return info.contains("process_id:" + process.pid() + "\r\n");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private String recentOutput() {
		synchronized (this.output) {
			return String.join("\n", this.output);
		}
	}

	private void signal(String signal) {
		Process process = this.process;
		if (process == null || !process.isAlive()) {
			throw new IllegalStateException("redis-server on " + url() + " is not running");
		}
		ProcessBuilder builder = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
			.redirectErrorStream(true);
		try {
			Process kill = builder.start();
			String message = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (kill.waitFor() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + message);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run kill -" + signal, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while signalling redis-server", ex);
		}
	}

	private void kill() {
		Process process = this.process;
		if (process != null) {
			// SIGKILL also ends a suspended (SIGSTOPped) process.
			process.destroyForcibly();
			try {
				process.waitFor(2, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		deleteRecursively(this.workingDirectory);
	}

	private static int findFreePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not find a free port", ex);
		}
	}

	private static Path createWorkingDirectory() {
		try {
			return Files.createTempDirectory("embedded-redis-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create a working directory for redis-server", ex);
		}
	}

	private static void createDirectory(Path directory) {
		try {
			Files.createDirectories(directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create " + directory, ex);
		}
	}

	private static void deleteRecursively(Path directory) {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			logger.debug("Could not delete {}", directory, ex);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for redis-server", ex);
		}
	}

}
