package dev.ratelimit.redis;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;

/**
 * Applies the changes other instances publish on the {@link RedisChanges} channel as soon
 * as they arrive: an override set or lifted makes the {@link RedisOverrideStore} reload
 * at once instead of at its next refresh, and a reset makes this instance forget what it
 * holds locally of the scope (e.g. the denials its over-limit cache remembers), which
 * would otherwise outlive the reset. Register it with a
 * {@code RedisMessageListenerContainer} on {@link RedisChanges#topic(String)}.
 * <p>
 * An instance also receives its own messages; applying a change twice is harmless.
 *
 * @author rate-limit-spring-boot
 */
public final class RedisChangeListener implements MessageListener {

	private static final Log logger = LogFactory.getLog(RedisChangeListener.class);

	private final @Nullable RedisOverrideStore overrides;

	private final Consumer<String> resets;

	/**
	 * Create a listener.
	 * @param overrides the store to reload when an override changed, or {@code null} when
	 * the overrides are not kept in Redis
	 * @param resets told the scope of every reset, and of every changed override, to
	 * forget what this instance holds of it
	 */
	public RedisChangeListener(@Nullable RedisOverrideStore overrides, Consumer<String> resets) {
		this.overrides = overrides;
		this.resets = resets;
	}

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		String body = new String(message.getBody(), StandardCharsets.UTF_8);
		if (body.length() < 3 || body.charAt(1) != RedisChanges.SEPARATOR) {
			// Not ours, or from a newer version: ignored, the poll still applies its
			// change.
			return;
		}
		String scope = body.substring(2);
		char kind = body.charAt(0);
		try {
			if (kind == RedisChanges.OVERRIDE) {
				// Denials remembered under the old limits can no longer match, but they
				// would hold memory until they expire.
				this.resets.accept(scope);
				if (this.overrides != null) {
					this.overrides.refresh();
				}
			}
			else if (kind == RedisChanges.RESET) {
				this.resets.accept(scope);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not apply a rate limit change of another instance: " + ex);
		}
	}

	@Override
	public String toString() {
		return "RedisChangeListener[overrides=" + this.overrides + "]";
	}

}
