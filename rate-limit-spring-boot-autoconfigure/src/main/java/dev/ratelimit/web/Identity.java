package dev.ratelimit.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Who a request is charged to. The value is a hash of the principal name, API key or
 * address, so no raw key or user id ever reaches Redis, logs or metrics.
 *
 * @param kind what identified the caller: {@code u} (user), {@code k} (API key),
 * {@code ip}, or {@code global}
 * @param hash the hashed value (empty for {@code global})
 * @author rate-limit-spring-boot
 */
public record Identity(String kind, String hash) {

	private static final Identity GLOBAL = new Identity("global", "");

	private static final HexFormat HEX = HexFormat.of();

	/**
	 * A digest to copy per hash: looking the algorithm up among the security providers
	 * costs several times what hashing a key does, on every request.
	 */
	private static final MessageDigest SHA_256 = sha256();

	/**
	 * An authenticated user.
	 * @param name the principal name
	 * @return the identity
	 */
	public static Identity user(String name) {
		return new Identity("u", hash(name));
	}

	/**
	 * A caller presenting an API key.
	 * @param apiKey the key
	 * @return the identity
	 */
	public static Identity apiKey(String apiKey) {
		return new Identity("k", hash(apiKey));
	}

	/**
	 * A caller known only by its address.
	 * @param address the normalised client address
	 * @return the identity
	 */
	public static Identity address(String address) {
		return new Identity("ip", hash(address));
	}

	/**
	 * Every caller at once, for limits shared by all.
	 * @return the global identity
	 */
	public static Identity global() {
		return GLOBAL;
	}

	/**
	 * The scope of this identity's budget in storage keys, e.g. {@code u:3fa9…}.
	 * @return the scope
	 */
	public String scope() {
		return this.hash.isEmpty() ? this.kind : this.kind + ":" + this.hash;
	}

	/**
	 * The first 128 bits of SHA-256, hex encoded: short keys, no realistic collisions,
	 * and nothing of the original value.
	 * @param value the value
	 * @return the hash
	 */
	static String hash(String value) {
		byte[] digest = newDigest().digest(value.getBytes(StandardCharsets.UTF_8));
		return HEX.formatHex(digest, 0, 16);
	}

	private static MessageDigest newDigest() {
		try {
			return (MessageDigest) SHA_256.clone();
		}
		catch (CloneNotSupportedException ex) {
			// A provider whose digest cannot be copied: look it up every time.
			return sha256();
		}
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	@Override
	public String toString() {
		return scope();
	}

}
