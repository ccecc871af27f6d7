package dev.ratelimit.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisServerBinary}.
 *
 * @author rate-limit-spring-boot
 */
class RedisServerBinaryTests {

	@Test
	void withoutANamedBinaryExtractsTheShippedOne() {
		Path binary = RedisServerBinary.resolve(null);
		assertThat(binary).isExecutable();
		assertThat(binary.getFileName().toString()).startsWith("redis-server-" + RedisServerBinary.VERSION);
		assertThat(RedisServerBinary.resolve("  ").getFileName().toString()).startsWith("redis-server-");
	}

	@Test
	void aNamedExecutableIsUsedAsItIs(@TempDir Path directory) throws IOException {
		Path named = Files.copy(RedisServerBinary.path(), directory.resolve("redis-server"));
		assertThat(named.toFile().setExecutable(true, true)).isTrue();
		assertThat(RedisServerBinary.resolve(" " + named + " ")).isEqualTo(named);
	}

	@Test
	void aNamedFileThatIsNotAnExecutableIsRejectedNamingTheVariable(@TempDir Path directory) throws IOException {
		Path text = Files.writeString(directory.resolve("redis-server"), "not a binary");
		assertThatIllegalStateException().isThrownBy(() -> RedisServerBinary.resolve(text.toString()))
			.withMessageContaining(RedisServers.SERVER_BINARY_ENVIRONMENT_VARIABLE)
			.withMessageContaining(text.toString());
		assertThatIllegalStateException()
			.isThrownBy(() -> RedisServerBinary.resolve(directory.resolve("missing").toString()))
			.withMessageContaining(RedisServers.SERVER_BINARY_ENVIRONMENT_VARIABLE);
	}

}
