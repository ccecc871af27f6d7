package dev.ratelimit.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.DefaultMessage;
import org.springframework.data.redis.connection.Message;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The messages of the changes channel, as the listener reads them. That they arrive from
 * another instance over a real Redis is shown by {@link RedisChangesIntegrationTests}.
 */
class RedisChangeListenerTests {

	private final List<String> forgotten = new ArrayList<>();

	private final RedisChangeListener listener = new RedisChangeListener(null, this.forgotten::add);

	@Test
	void aResetMakesTheInstanceForgetTheScope() {
		this.listener.onMessage(message("r|u:3fa9"), null);
		assertThat(this.forgotten).containsExactly("u:3fa9");
	}

	@Test
	void aChangedOverrideMakesTheInstanceForgetTheScopeToo() {
		this.listener.onMessage(message("o|k:77c1"), null);
		assertThat(this.forgotten).containsExactly("k:77c1");
	}

	@Test
	void ignoresMessagesItDoesNotKnow() {
		this.listener.onMessage(message(""), null);
		this.listener.onMessage(message("r|"), null);
		this.listener.onMessage(message("x|u:3fa9"), null);
		this.listener.onMessage(message("hello"), null);
		assertThat(this.forgotten).isEmpty();
	}

	@Test
	void aFailingHandlerDoesNotReachTheContainer() {
		RedisChangeListener failing = new RedisChangeListener(null, (scope) -> {
			throw new IllegalStateException("broken");
		});
		failing.onMessage(message("r|u:3fa9"), null);
	}

	private static Message message(String body) {
		return new DefaultMessage("rl:changes".getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8));
	}

}
