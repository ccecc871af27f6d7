package dev.ratelimit.test;

/**
 * A real Redis server that tests and demos can connect to. Lifecycle methods exist for
 * failure tests (a Redis that is gone, a Redis that hangs); a kind of server that cannot
 * support one throws {@link UnsupportedOperationException}, so check
 * {@link #supportsStopStart()} and {@link #supportsSuspend()} first.
 *
 * @author rate-limit-spring-boot
 * @see RedisServers#shared()
 */
public interface RedisServer {

	/**
	 * The host to connect to.
	 * @return the host
	 */
	String host();

	/**
	 * The port to connect to.
	 * @return the port
	 */
	int port();

	/**
	 * The connection URL, {@code redis://host:port}.
	 * @return the URL
	 */
	default String url() {
		return "redis://" + host() + ":" + port();
	}

	/**
	 * Whether {@link #stop()} and {@link #start()} are supported.
	 * @return {@code true} when this server can be stopped and started again on the same
	 * port
	 */
	default boolean supportsStopStart() {
		return false;
	}

	/**
	 * Whether {@link #suspend()} and {@link #resume()} are supported.
	 * @return {@code true} when this server can be frozen and thawed
	 */
	default boolean supportsSuspend() {
		return false;
	}

	/**
	 * Stop the server; connections are refused until {@link #start()}.
	 */
	default void stop() {
		throw unsupported("stop");
	}

	/**
	 * Start a stopped server again, on the same host and port.
	 */
	default void start() {
		throw unsupported("start");
	}

	/**
	 * Freeze the server (SIGSTOP): connections are accepted by the kernel but never
	 * answered, like a Redis that hangs.
	 */
	default void suspend() {
		throw unsupported("suspend");
	}

	/**
	 * Let a {@link #suspend() suspended} server run again (SIGCONT).
	 */
	default void resume() {
		throw unsupported("resume");
	}

	private UnsupportedOperationException unsupported(String operation) {
		return new UnsupportedOperationException(
				getClass().getSimpleName() + " at " + url() + " does not support " + operation + "()");
	}

}
