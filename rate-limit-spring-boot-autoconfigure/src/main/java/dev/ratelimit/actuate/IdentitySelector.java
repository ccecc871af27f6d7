package dev.ratelimit.actuate;

import java.net.InetAddress;
import java.util.Locale;

import dev.ratelimit.web.AddressRange;
import dev.ratelimit.web.Identity;

/**
 * Reads the caller an operator names in {@code /actuator/ratelimits/{identity}}, the way
 * the default identity resolver identifies callers:
 * <ul>
 * <li>{@code user:<name>}: an authenticated principal;</li>
 * <li>{@code key:<api key>}: a caller presenting an API key (hashed here, never
 * stored);</li>
 * <li>{@code ip:<address>}: a caller known by its address;</li>
 * <li>{@code scope:<kind>:<hash>}: a hashed scope as the endpoint shows it, e.g.
 * {@code scope:u:3fa9…};</li>
 * <li>a bare IPv4 or IPv6 literal: an address; any other bare value: a user.</li>
 * </ul>
 * A bare value that starts with a word and a colon must name one of these prefixes, so
 * that a mistyped prefix is an error rather than a user of that name.
 *
 * @author rate-limit-spring-boot
 */
final class IdentitySelector {

	private static final int MAX_LENGTH = 1024;

	private static final int HASH_LENGTH = 32;

	private IdentitySelector() {
	}

	/**
	 * Read a selector.
	 * @param selector the selector
	 * @return the selected caller
	 * @throws IllegalArgumentException when the selector is not valid
	 */
	static Selection parse(String selector) {
		if (selector.isBlank()) {
			throw new IllegalArgumentException("The identity is empty");
		}
		if (selector.length() > MAX_LENGTH) {
			throw new IllegalArgumentException("The identity is longer than " + MAX_LENGTH + " characters");
		}
		int colon = selector.indexOf(':');
		String prefix = (colon > 0) ? selector.substring(0, colon) : "";
		String value = selector.substring(colon + 1);
		switch (prefix) {
			case "user":
				return new Selection("user", Identity.user(nonEmpty(value, prefix)));
			case "key":
				return new Selection("key", Identity.apiKey(nonEmpty(value.trim(), prefix)));
			case "ip":
				return new Selection("ip", Identity.address(address(nonEmpty(value, prefix))));
			case "scope":
				return new Selection("scope", scope(value));
			default:
		}
		InetAddress address = AddressRange.parseAddress(selector);
		if (address != null) {
			return new Selection("ip", Identity.address(address.getHostAddress()));
		}
		if (!prefix.isEmpty() && prefix.chars().allMatch(Character::isLetter)) {
			throw new IllegalArgumentException("Unknown identity prefix '" + prefix
					+ ":'; use user:, key:, ip: or scope: (user:" + prefix + ":… for a user whose name has it)");
		}
		return new Selection("user", Identity.user(selector));
	}

	private static String nonEmpty(String value, String prefix) {
		if (value.isEmpty()) {
			throw new IllegalArgumentException("Nothing follows '" + prefix + ":'");
		}
		return value;
	}

	private static String address(String value) {
		InetAddress address = AddressRange.parseAddress(value);
		if (address == null) {
			throw new IllegalArgumentException("'ip:' must be followed by an IPv4 or IPv6 address");
		}
		return address.getHostAddress();
	}

	private static Identity scope(String scope) {
		int colon = scope.indexOf(':');
		String kind = (colon > 0) ? scope.substring(0, colon) : "";
		String hash = scope.substring(colon + 1).toLowerCase(Locale.ROOT);
		if (!(kind.equals("u") || kind.equals("k") || kind.equals("ip")) || !isHash(hash)) {
			throw new IllegalArgumentException(
					"'scope:' must be followed by a scope as this endpoint shows it: u:, k: or ip: and " + HASH_LENGTH
							+ " hex digits");
		}
		return new Identity(kind, hash);
	}

	private static boolean isHash(String hash) {
		if (hash.length() != HASH_LENGTH) {
			return false;
		}
		for (int i = 0; i < hash.length(); i++) {
			if (Character.digit(hash.charAt(i), 16) < 0) {
				return false;
			}
		}
		return true;
	}

	/**
	 * A selected caller.
	 *
	 * @param kind how it was selected: {@code user}, {@code key}, {@code ip} or
	 * {@code scope}
	 * @param identity the caller
	 */
	record Selection(String kind, Identity identity) {

		boolean isAddress() {
			return this.identity.kind().equals("ip");
		}

	}

}
