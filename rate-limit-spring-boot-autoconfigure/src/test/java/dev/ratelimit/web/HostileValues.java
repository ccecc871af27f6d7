package dev.ratelimit.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Random hostile header values and request targets for fuzz-style tests. Deterministic
 * for a given {@link Random} seed. Header values never hold CR or LF (those end the
 * header; the server rejects them before any application code could see them).
 */
final class HostileValues {

	static final List<String> HEADERS = List.of("X-Forwarded-For", "Forwarded", "X-API-Key", "Authorization",
			"X-Real-IP", "X-Tier", "X-RateLimit-Tier", "Cookie");

	private static final List<String> FRAGMENTS = List.of(",", ", ", ";", "=", "\"", "[", "]", ":", "::", ".", "for=",
			"For=", "by=", "proto=http", "unknown", "_hidden", "127.0.0.1", "10.0.0.1", "::1", "[::1]:80", "::ffff:",
			"198.51.100.7", "2001:db8::1", "256.256.256.256", "0x7f", "%", "%00", "\\", "Bearer ", "Basic ", "demo-",
			"user-", "@", "enterprise", "\t", " ");

	private static final List<String> SEGMENTS = List.of("api", "ping", "fuzz", "..", ".", "%2e%2e", "%2E", "%00",
			"%zz", "%", "%2", "%25", "%2F", "%5C", "%C3%A9", "%FF", "%C0%AF", ";a=b", ";jsessionid=x", "", "~", "*",
			"a?b=%", "a?x=1&y", ";b=%zz", ";%", "a#frag", "\u00e9", "\u00ff", "{x}", "<script>", "'", "\"", "|", "^",
			"`");

	private HostileValues() {
	}

	/**
	 * A header value of one of several shapes, at most {@code maxLength} bytes.
	 * @param random the source of randomness
	 * @param maxLength the longest value
	 * @return the value's bytes
	 */
	static byte[] headerValue(Random random, int maxLength) {
		byte[] value = switch (random.nextInt(6)) {
			case 0 -> randomBytes(random, random.nextInt(64));
			case 1 -> printableAscii(random, random.nextInt(300)).getBytes(StandardCharsets.US_ASCII);
			case 2 -> fragments(random, 1 + random.nextInt(12)).getBytes(StandardCharsets.UTF_8);
			case 3 -> "k".repeat(random.nextInt(maxLength + 1)).getBytes(StandardCharsets.US_ASCII);
			case 4 -> unicode(random, 1 + random.nextInt(40)).getBytes(StandardCharsets.UTF_8);
			default -> (",".repeat(random.nextInt(200)) + fragments(random, 3)).getBytes(StandardCharsets.UTF_8);
		};
		return (value.length > maxLength) ? Arrays.copyOf(value, maxLength) : value;
	}

	/**
	 * A request target: a path of odd segments, sometimes with raw bytes that are not
	 * ASCII.
	 * @param random the source of randomness
	 * @param prefix the first segment, to keep fuzzed requests away from other tests'
	 * budgets
	 * @return the target's bytes
	 */
	static byte[] target(Random random, String prefix) {
		ByteArrayOutputStream target = new ByteArrayOutputStream();
		target.writeBytes(prefix.getBytes(StandardCharsets.US_ASCII));
		int segments = random.nextInt(5);
		for (int i = 0; i < segments; i++) {
			target.write('/');
			String segment = SEGMENTS.get(random.nextInt(SEGMENTS.size()));
			target.writeBytes(
					segment.getBytes(random.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
		}
		return target.toByteArray();
	}

	/**
	 * A request method: usually a real one, sometimes a made-up token.
	 * @param random the source of randomness
	 * @return the method
	 */
	static String method(Random random) {
		List<String> methods = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "BREW", "get");
		return methods.get(random.nextInt(methods.size()));
	}

	private static byte[] randomBytes(Random random, int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			int b;
			do {
				b = random.nextInt(256);
			}
			while (b == '\r' || b == '\n');
			bytes[i] = (byte) b;
		}
		return bytes;
	}

	private static String printableAscii(Random random, int length) {
		StringBuilder value = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			value.append((char) (0x20 + random.nextInt(0x5F)));
		}
		return value.toString();
	}

	private static String fragments(Random random, int count) {
		StringBuilder value = new StringBuilder();
		for (int i = 0; i < count; i++) {
			value.append(FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
		}
		return value.toString();
	}

	private static String unicode(Random random, int length) {
		StringBuilder value = new StringBuilder();
		for (int i = 0; i < length; i++) {
			int codePoint;
			do {
				codePoint = 0x80 + random.nextInt(0x1FF80);
			}
			while (Character.getType(codePoint) == Character.SURROGATE || !Character.isDefined(codePoint));
			value.appendCodePoint(codePoint);
		}
		return value.toString();
	}

}
