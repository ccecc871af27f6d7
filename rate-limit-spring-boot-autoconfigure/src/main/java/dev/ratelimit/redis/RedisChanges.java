package dev.ratelimit.redis;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.util.Assert;

/**
 * The Redis pub/sub channel, {@code <prefix>:changes}, on which the instances that share
 * a key prefix tell each other that an operator changed what applies to a caller: its
 * override ({@link RedisOverrideStore}) or its stored limits, reset
 * ({@link RedisRateLimiter}). Every instance listens with a {@link RedisChangeListener}
 * and applies the change on receipt.
 * <p>
 * A message names the kind of change and the caller's scope (already hashed, never a raw
 * key): {@code o|<scope>} or {@code r|<scope>}. Pub/sub delivers at most once, to the
 * instances subscribed at that moment; what a message misses is caught up by each
 * component's own safety net (the override store's refresh), so publishing never fails
 * the change it reports.
 *
 * @author rate-limit-spring-boot
 */
public final class RedisChanges {

	private static final Log logger = LogFactory.getLog(RedisChanges.class);

	static final char OVERRIDE = 'o';

	static final char RESET = 'r';

	static final char SEPARATOR = '|';

	private final StringRedisTemplate template;

	private final String channel;

	/**
	 * Create the channel of a key prefix.
	 * @param template the template to publish with
	 * @param keyPrefix the prefix of the instances' keys
	 */
	public RedisChanges(StringRedisTemplate template, String keyPrefix) {
		Assert.notNull(template, "'template' must not be null");
		this.template = template;
		this.channel = topic(keyPrefix).getTopic();
	}

	/**
	 * The channel of a key prefix.
	 * @param keyPrefix the prefix of the instances' keys
	 * @return the channel
	 */
	public static ChannelTopic topic(String keyPrefix) {
		Assert.hasText(keyPrefix, "'keyPrefix' must not be empty");
		return ChannelTopic.of(keyPrefix + ":changes");
	}

	/**
	 * Tell the other instances that the override of a scope was set or lifted.
	 * @param scope the scope
	 */
	void overrideChanged(String scope) {
		publish(OVERRIDE, scope);
	}

	/**
	 * Tell the other instances that stored limits of a scope were reset.
	 * @param scope the scope
	 */
	void reset(String scope) {
		publish(RESET, scope);
	}

	private void publish(char kind, String scope) {
		try {
			this.template.convertAndSend(this.channel, kind + "" + SEPARATOR + scope);
		}
		catch (RuntimeException ex) {
			// The change itself is made; the others see it at their next refresh.
			logger.warn("Could not tell the other instances of a rate limit change on " + this.channel + ": " + ex);
		}
	}

	@Override
	public String toString() {
		return "RedisChanges[channel=" + this.channel + "]";
	}

}
