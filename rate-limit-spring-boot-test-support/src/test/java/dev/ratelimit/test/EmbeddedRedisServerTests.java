package dev.ratelimit.test;

import java.io.IOException;
import java.net.SocketTimeoutException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link EmbeddedRedisServer}.
 *
 * @author rate-limit-spring-boot
 */
class EmbeddedRedisServerTests {

	@Test
	void startsAndAnswersPing() throws IOException {
		try (EmbeddedRedisServer server = new EmbeddedRedisServer()) {
			assertThat(server.host()).isEqualTo("127.0.0.1");
			assertThat(server.port()).isPositive();
			assertThat(server.url()).isEqualTo("redis://127.0.0.1:" + server.port());
			assertThat(Resp.command(server.host(), server.port(), 1000, "PING")).isEqualTo("+PONG");
		}
	}

	@Test
	void acceptsWrites() throws IOException {
		try (EmbeddedRedisServer server = new EmbeddedRedisServer()) {
			assertThat(Resp.command(server.host(), server.port(), 1000, "SET", "k", "v")).isEqualTo("+OK");
			assertThat(Resp.command(server.host(), server.port(), 1000, "DBSIZE")).isEqualTo(":1");
		}
	}

	@Test
	void restartsOnTheSamePortAfterStop() {
		try (EmbeddedRedisServer server = new EmbeddedRedisServer()) {
			int port = server.port();
			server.stop();
			assertThat(Resp.ping(server.host(), port, 500)).isFalse();
			server.start();
			assertThat(server.port()).isEqualTo(port);
			assertThat(Resp.ping(server.host(), port, 1000)).isTrue();
		}
	}

	@Test
	void suspendedServerDoesNotAnswerUntilResumed() {
		try (EmbeddedRedisServer server = new EmbeddedRedisServer()) {
			server.suspend();
			assertThatExceptionOfType(SocketTimeoutException.class)
				.isThrownBy(() -> Resp.command(server.host(), server.port(), 300, "PING"));
			server.resume();
			assertThat(Resp.ping(server.host(), server.port(), 1000)).isTrue();
		}
	}

	@Test
	void stopEndsASuspendedServer() {
		try (EmbeddedRedisServer server = new EmbeddedRedisServer()) {
			server.suspend();
			server.stop();
			assertThat(Resp.ping(server.host(), server.port(), 300)).isFalse();
			server.start();
			assertThat(Resp.ping(server.host(), server.port(), 1000)).isTrue();
		}
	}

	@Test
	void startsOnAGivenPort() {
		int port;
		try (EmbeddedRedisServer first = new EmbeddedRedisServer()) {
			port = first.port();
		}
		try (EmbeddedRedisServer server = new EmbeddedRedisServer(port)) {
			assertThat(server.port()).isEqualTo(port);
			assertThat(Resp.ping(server.host(), port, 1000)).isTrue();
		}
	}

	@Test
	void failsWhenTheGivenPortBelongsToAnotherServer() {
		try (EmbeddedRedisServer first = new EmbeddedRedisServer()) {
			assertThatIllegalStateException().isThrownBy(() -> new EmbeddedRedisServer(first.port()))
				.withMessageContaining("exited")
				.withMessageContaining("Failed listening on port " + first.port());
			assertThat(Resp.ping(first.host(), first.port(), 1000)).isTrue();
		}
	}

	@Test
	void twoServersGetDifferentPorts() {
		try (EmbeddedRedisServer first = new EmbeddedRedisServer();
				EmbeddedRedisServer second = new EmbeddedRedisServer()) {
			assertThat(first.port()).isNotEqualTo(second.port());
			assertThat(Resp.ping(first.host(), first.port(), 1000)).isTrue();
			assertThat(Resp.ping(second.host(), second.port(), 1000)).isTrue();
		}
	}

	@Test
	void closeStopsTheServer() {
		EmbeddedRedisServer server = new EmbeddedRedisServer();
		server.close();
		assertThat(Resp.ping(server.host(), server.port(), 300)).isFalse();
	}

}
