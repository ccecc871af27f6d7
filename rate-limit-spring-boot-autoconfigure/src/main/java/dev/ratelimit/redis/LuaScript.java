package dev.ratelimit.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.Assert;

/**
 * A Lua script read once from the class path, with its SHA1 computed once. Unlike
 * {@code RedisScript.of(Resource)}, whose SHA1 is recomputed whenever the resource might
 * have changed (a jar lookup and a lock on every call), nothing here touches the class
 * path or locks after construction, so one instance serves every request.
 *
 * @param <T> the script's result type
 * @author rate-limit-spring-boot
 */
final class LuaScript<T> implements RedisScript<T> {

	private final String location;

	private final String text;

	private final byte[] bytes;

	private final String sha1;

	private final Class<T> resultType;

	private LuaScript(String location, String text, Class<T> resultType) {
		this.location = location;
		this.text = text;
		this.bytes = text.getBytes(StandardCharsets.UTF_8);
		this.sha1 = sha1(this.bytes);
		this.resultType = resultType;
	}

	/**
	 * Read a script from the class path of this class's own class loader (not the
	 * thread's: a limiter may be created while an embedded server's web application class
	 * loader is the context class loader).
	 * @param <T> the result type
	 * @param location the script's location on the class path
	 * @param resultType the result type
	 * @return the script
	 * @throws IllegalStateException when the script is missing (a broken build)
	 */
	static <T> LuaScript<T> load(String location, Class<T> resultType) {
		return new LuaScript<>(location, read(location), resultType);
	}

	/**
	 * A script that calls another as a function: the other script's text becomes the body
	 * of {@code local function <name>(KEYS, ARGV)}, followed by the text at
	 * {@code location}, which calls it. One text of the other script serves both ways of
	 * running it, so the two can never disagree.
	 * @param <T> the result type
	 * @param function the script to call, which must read only {@code KEYS}, {@code ARGV}
	 * and {@code redis}
	 * @param name the function's name
	 * @param location the location of the calling script on the class path
	 * @param resultType the result type
	 * @return the script
	 * @throws IllegalStateException when the calling script is missing (a broken build)
	 */
	static <T> LuaScript<T> calling(LuaScript<?> function, String name, String location, Class<T> resultType) {
		String text = "local function " + name + "(KEYS, ARGV)\n" + function.text + "\nend\n" + read(location);
		return new LuaScript<>(location, text, resultType);
	}

	private static String read(String location) {
		try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(location)) {
			Assert.state(in != null, () -> "Lua script " + location + " is missing from the class path");
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read Lua script " + location, ex);
		}
	}

	private static String sha1(byte[] bytes) {
		try {
			// Redis names a cached script by the hex SHA1 of its text, in lower case.
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is required of every Java platform", ex);
		}
	}

	@Override
	public String getSha1() {
		return this.sha1;
	}

	@Override
	public Class<T> getResultType() {
		return this.resultType;
	}

	@Override
	public String getScriptAsString() {
		return this.text;
	}

	/**
	 * The script's text as UTF-8, for clients that send bytes. Shared, so never to be
	 * modified.
	 * @return the text's bytes
	 */
	byte[] getScriptAsBytes() {
		return this.bytes;
	}

	@Override
	public String toString() {
		return "LuaScript[" + this.location + ", sha1=" + this.sha1 + "]";
	}

}
