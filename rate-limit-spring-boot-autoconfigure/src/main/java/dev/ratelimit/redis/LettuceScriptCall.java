package dev.ratelimit.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.Decision;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter;

/**
 * Runs the script with Lettuce's own asynchronous commands on the connection factory's
 * shared native connection: one {@code EVALSHA} written to the connection and a future
 * completed by Lettuce's event loop, without the reactive template's publishers,
 * serializers and subscription per call. On Redis Cluster the shared connection is the
 * cluster connection, whose commands are routed by the slot of their first key (every key
 * of one check shares a slot).
 * <p>
 * On one Redis server the checks that arrive while another is in flight share one command
 * ({@link ScriptBatcher}); on a cluster every check is a command of its own.
 * <p>
 * The native connection is looked up once and kept while it is open: Lettuce reconnects
 * it by itself after a network failure, and a connection factory that is reset or
 * restarted closes it, after which the next check looks up the factory's new one. A
 * look-up may have to connect, so it runs on a thread of its own, never on the caller's.
 * Failures are translated as the template would translate them, so that a broken
 * connection is a {@code RedisConnectionFailureException} on either path.
 * <p>
 * A class of its own so that Lettuce is loaded only when it is used.
 *
 * @author rate-limit-spring-boot
 */
final class LettuceScriptCall implements AsyncScriptCall {

	private static final LettuceExceptionConverter EXCEPTION_CONVERTER = new LettuceExceptionConverter();

	private final LettuceConnectionFactory connectionFactory;

	private final ScriptBatcher batching;

	private final ScriptBatcher unbatched;

	private volatile @Nullable Commands commands;

	private final Object lookupMonitor = new Object();

	private @Nullable CompletableFuture<Commands> lookup;

	/**
	 * Runs look-ups of the connection: one thread at most, gone when idle (a look-up is
	 * rare: on the first check and after the factory closed its connection).
	 */
	private final ExecutorService lookupExecutor = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
			new LinkedBlockingQueue<>(), (task) -> {
				Thread thread = new Thread(task, "rate-limit-redis-connection");
				thread.setDaemon(true);
				return thread;
			});

	@SuppressWarnings("rawtypes")
	private LettuceScriptCall(LettuceConnectionFactory connectionFactory, LuaScript<List> script,
			LuaScript<List> batchScript) {
		this.connectionFactory = connectionFactory;
		this.batching = ScriptBatcher.batching(script, batchScript, this::execute);
		this.unbatched = ScriptBatcher.unbatched(script, this::execute);
	}

	/**
	 * A call on the connection factory's shared native connection, if it has one. Only to
	 * be called when Lettuce is on the class path.
	 * @param connectionFactory the connection factory
	 * @param script the script of one check
	 * @param batchScript the script that runs several checks, each as {@code script}
	 * would
	 * @return the call, or {@code null} when the factory is not Lettuce's or does not
	 * share its native connection (every connection it hands out would then be a
	 * dedicated one, closed with it)
	 */
	@SuppressWarnings("rawtypes")
	static @Nullable LettuceScriptCall of(RedisConnectionFactory connectionFactory, LuaScript<List> script,
			LuaScript<List> batchScript) {
		if (connectionFactory instanceof LettuceConnectionFactory lettuce && lettuce.getShareNativeConnection()) {
			return new LettuceScriptCall(lettuce, script, batchScript);
		}
		return null;
	}

	@Override
	public CompletableFuture<Decision> run(ScriptCall call) {
		Commands commands = this.commands;
		if (commands != null && !commands.isClosed()) {
			if (!commands.isConnected()) {
				// Lettuce would buffer the command until it has reconnected: a broken
				// connection fails the check at once instead, so that it falls back
				// without waiting.
				return CompletableFuture.failedFuture(notConnected());
			}
			return batcher(commands).run(call);
		}
		// Looking the connection up may mean connecting, which can take as long as the
		// connect timeout: never on the caller's thread, which waits for this future no
		// longer than it wants.
		CompletableFuture<Decision> result = new CompletableFuture<>();
		lookUp().whenComplete((lookedUp, failure) -> {
			if (failure != null) {
				result.completeExceptionally(translate(failure));
			}
			else if (!result.isDone()) {
				CompletableFuture<Decision> check = batcher(lookedUp).run(call);
				// Cancelling the caller's future abandons the check.
				result.whenComplete((decision, cancelled) -> check.cancel(false));
				check.whenComplete((decision, checkFailure) -> {
					if (checkFailure != null) {
						result.completeExceptionally(checkFailure);
					}
					else {
						result.complete(decision);
					}
				});
			}
		});
		return result;
	}

	/**
	 * Checks share a command only where one command can carry any keys: on one Redis
	 * server, not on a cluster (the keys of two callers are in different slots).
	 */
	private ScriptBatcher batcher(Commands commands) {
		return commands.isCluster() ? this.unbatched : this.batching;
	}

	/**
	 * Run a script on the shared connection: {@code EVALSHA}, then {@code EVAL} if Redis
	 * lost its script cache.
	 */
	@SuppressWarnings("rawtypes")
	private CompletableFuture<?> execute(LuaScript<List> script, byte[][] keys, byte[][] args) {
		Commands commands = this.commands;
		if (commands == null || !commands.isConnected()) {
			return CompletableFuture.failedFuture(notConnected());
		}
		RedisClusterAsyncCommands<byte[], byte[]> async = commands.async;
		CommandReply reply = new CommandReply();
		try {
			reply.await(async.evalsha(script.getSha1(), ScriptOutputType.MULTI, keys, args), (failure) -> {
				if (!isNoScript(failure)) {
					return false;
				}
				// Redis lost its script cache (a restart, a failover, SCRIPT FLUSH): EVAL
				// loads it again.
				reply.await(async.eval(script.getScriptAsBytes(), ScriptOutputType.MULTI, keys, args),
						(ignored) -> false);
				return true;
			});
		}
		catch (RuntimeException ex) {
			// Lettuce reports failures through the future; should it throw, the call
			// still fails like any other.
			reply.completeExceptionally(translate(ex));
		}
		return reply;
	}

	private static RedisConnectionFailureException notConnected() {
		return new RedisConnectionFailureException(
				"Not connected to Redis: the connection is lost and Lettuce is reconnecting");
	}

	/**
	 * The look-up of the factory's shared connection in progress, or a new one: one at a
	 * time, however many checks are waiting for it.
	 */
	private CompletableFuture<Commands> lookUp() {
		synchronized (this.lookupMonitor) {
			CompletableFuture<Commands> lookup = this.lookup;
			// A finished look-up failed, or found a connection that is closed by now.
			if (lookup == null || lookup.isDone()) {
				lookup = CompletableFuture.supplyAsync(this::lookUpCommands, this.lookupExecutor);
				this.lookup = lookup;
			}
			return lookup;
		}
	}

	private Commands lookUpCommands() {
		RedisConnection connection = this.connectionFactory.getConnection();
		try {
			// With a shared native connection this is the shared connection's commands,
			// not one of its own: closing the connection below leaves them open.
			Commands commands = new Commands(((LettuceConnection) connection).getNativeConnection());
			this.commands = commands;
			return commands;
		}
		finally {
			connection.close();
		}
	}

	private static boolean isNoScript(Throwable failure) {
		return failure instanceof RedisNoScriptException || (failure instanceof RedisCommandExecutionException
				&& failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT"));
	}

	private static Throwable translate(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		if (cause instanceof Exception exception) {
			DataAccessException translated = EXCEPTION_CONVERTER.convert(exception);
			return (translated != null) ? translated : cause;
		}
		return cause;
	}

	/**
	 * The commands of one native connection, and whether that connection is closed for
	 * good: not merely disconnected, which Lettuce repairs by reconnecting.
	 */
	private static final class Commands {

		private final RedisClusterAsyncCommands<byte[], byte[]> async;

		private final @Nullable StatefulConnection<byte[], byte[]> connection;

		Commands(RedisClusterAsyncCommands<byte[], byte[]> async) {
			this.async = async;
			this.connection = statefulConnection(async);
		}

		private static @Nullable StatefulConnection<byte[], byte[]> statefulConnection(
				RedisClusterAsyncCommands<byte[], byte[]> async) {
			if (async instanceof RedisAsyncCommands<byte[], byte[]> standalone) {
				return standalone.getStatefulConnection();
			}
			if (async instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
				return cluster.getStatefulConnection();
			}
			return null;
		}

		boolean isCluster() {
			return this.async instanceof RedisAdvancedClusterAsyncCommands;
		}

		/**
		 * Whether the connection is up now. A connection that Lettuce is reconnecting is
		 * not; one whose state cannot be read is taken to be.
		 */
		boolean isConnected() {
			return this.connection == null || this.connection.isOpen();
		}

		boolean isClosed() {
			if (this.connection instanceof RedisChannelHandler<?, ?> handler) {
				return handler.isClosed();
			}
			// Not a connection we can ask whether it is closed for good: ask whether it
			// is open, which a reconnecting connection is not either (a look-up more
			// while it reconnects).
			return this.connection == null || !this.connection.isOpen();
		}

	}

	/**
	 * The reply of one script call: completed from the command in flight, and cancelling
	 * that command when cancelled itself.
	 */
	private static final class CommandReply extends CompletableFuture<@Nullable Object> {

		private volatile @Nullable CompletableFuture<?> command;

		/**
		 * Complete this future from a command's outcome, unless the failure handler takes
		 * the failure over (by sending another command).
		 */
		void await(CompletionStage<?> stage, FailureHandler onFailure) {
			CompletableFuture<?> command = stage.toCompletableFuture();
			this.command = command;
			if (isCancelled()) {
				// Cancelled while the command was being sent: cancel() may have missed
				// it.
				command.cancel(false);
				return;
			}
			command.whenComplete((reply, failure) -> {
				if (failure == null) {
					complete(reply);
				}
				else if (!isDone() && !onFailure.handled(unwrap(failure))) {
					completeExceptionally(translate(failure));
				}
			});
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			boolean cancelled = super.cancel(mayInterruptIfRunning);
			CompletableFuture<?> command = this.command;
			if (cancelled && command != null) {
				// Lettuce then drops the command: not written if it is still queued, its
				// reply discarded if it was.
				command.cancel(false);
			}
			return cancelled;
		}

		private static Throwable unwrap(Throwable failure) {
			return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
					: failure;
		}

	}

	@FunctionalInterface
	private interface FailureHandler {

		/**
		 * Take a failure over.
		 * @param failure the command's failure
		 * @return {@code true} when handled, so that the future is not completed with it
		 */
		boolean handled(Throwable failure);

	}

}
