package dev.ratelimit.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis-server} binary for this machine: the executable named by
 * {@value RedisServers#SERVER_BINARY_ENVIRONMENT_VARIABLE} when set, else the one shipped
 * in the class path resources of {@code org.signal:embedded-redis}, extracted once per
 * JVM into a temporary file deleted on exit.
 *
 * @author rate-limit-spring-boot
 */
final class RedisServerBinary {

	/**
	 * The version of the shipped binaries.
	 */
	static final String VERSION = "7.0.15";

	private static final Logger logger = LoggerFactory.getLogger(RedisServerBinary.class);

	private static @Nullable Path binary;

	private RedisServerBinary() {
	}

	/**
	 * The binary, extracted on first use.
	 * @return the executable file
	 * @throws IllegalStateException when the named binary is not executable, or when no
	 * binary is shipped for this operating system and architecture
	 */
	static synchronized Path path() {
		if (binary == null) {
			binary = resolve(System.getenv(RedisServers.SERVER_BINARY_ENVIRONMENT_VARIABLE));
		}
		return binary;
	}

	/**
	 * What the binary is, for log messages: the shipped version, or the named file.
	 * @return a description of the binary
	 */
	static String describe() {
		String external = System.getenv(RedisServers.SERVER_BINARY_ENVIRONMENT_VARIABLE);
		return (external != null && !external.isBlank()) ? external.trim() : VERSION;
	}

	static Path resolve(@Nullable String external) {
		if (external == null || external.isBlank()) {
			return extractBinary();
		}
		Path file = Path.of(external.trim());
		if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
			throw new IllegalStateException(RedisServers.SERVER_BINARY_ENVIRONMENT_VARIABLE + " names '" + external
					+ "', which is not an executable file. Name a redis-server executable, or unset it to use the "
					+ "binary shipped in org.signal:embedded-redis.");
		}
		logger.debug("Using the redis-server binary {} ({})", file, RedisServers.SERVER_BINARY_ENVIRONMENT_VARIABLE);
		return file;
	}

	private static Path extractBinary() {
		String os = System.getProperty("os.name", "");
		String arch = System.getProperty("os.arch", "");
		String resource = "redis-server-" + VERSION + "-" + normalizeOs(os) + "-" + normalizeArch(arch);
		ClassLoader classLoader = RedisServerBinary.class.getClassLoader();
		try (InputStream in = classLoader.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("No redis-server binary for os.name='" + os + "', os.arch='" + arch
						+ "': class path resource '" + resource + "' not found. org.signal:embedded-redis ships "
						+ "linux-amd64, linux-arm64, linux-386, darwin-amd64 and darwin-arm64. Set "
						+ RedisServers.SERVER_BINARY_ENVIRONMENT_VARIABLE + " to a redis-server of this machine, or "
						+ RedisServers.URL_ENVIRONMENT_VARIABLE + " to use an external Redis instead.");
			}
			Path file = Files.createTempFile(resource + "-", "");
			file.toFile().deleteOnExit();
			Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
			if (!file.toFile().setExecutable(true, true)) {
				throw new IllegalStateException("Could not make " + file + " executable");
			}
			logger.debug("Extracted {} to {}", resource, file);
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not extract " + resource, ex);
		}
	}

	private static String normalizeOs(String os) {
		String name = os.toLowerCase(Locale.ROOT);
		if (name.contains("linux")) {
			return "linux";
		}
		if (name.contains("mac") || name.contains("darwin")) {
			return "darwin";
		}
		return name.replace(' ', '_');
	}

	private static String normalizeArch(String arch) {
		return switch (arch.toLowerCase(Locale.ROOT)) {
			case "amd64", "x86_64", "x64" -> "amd64";
			case "aarch64", "arm64" -> "arm64";
			case "x86", "i386", "i486", "i586", "i686" -> "386";
			default -> arch.toLowerCase(Locale.ROOT);
		};
	}

}
