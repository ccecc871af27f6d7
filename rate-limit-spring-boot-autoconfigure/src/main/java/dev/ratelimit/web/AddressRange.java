package dev.ratelimit.web;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.jspecify.annotations.Nullable;

/**
 * An IP address or CIDR range, e.g. {@code 10.0.0.0/8}, {@code 192.168.1.7} or
 * {@code ::1/128}. Parses only literals: nothing here ever causes a DNS lookup.
 *
 * @author rate-limit-spring-boot
 */
public final class AddressRange {

	private final byte[] network;

	private final int prefixLength;

	private AddressRange(byte[] network, int prefixLength) {
		this.network = network;
		this.prefixLength = prefixLength;
	}

	/**
	 * Parse a range.
	 * @param text an address or CIDR range
	 * @return the range
	 * @throws IllegalArgumentException when the text is not an address or range
	 */
	public static AddressRange parse(String text) {
		String trimmed = text.trim();
		int slash = trimmed.indexOf('/');
		InetAddress address = parseAddress((slash >= 0) ? trimmed.substring(0, slash) : trimmed);
		if (address == null) {
			throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range");
		}
		int bits = address.getAddress().length * 8;
		int prefixLength = bits;
		if (slash >= 0) {
			try {
				prefixLength = Integer.parseInt(trimmed.substring(slash + 1));
			}
			catch (NumberFormatException ex) {
				prefixLength = -1;
			}
			if (prefixLength < 0 || prefixLength > bits) {
				throw new IllegalArgumentException(
						"'" + text + "' has an invalid prefix length; expected 0 to " + bits);
			}
		}
		return new AddressRange(address.getAddress(), prefixLength);
	}

	/**
	 * Parse an IP literal, IPv4 or IPv6 (IPv4-mapped IPv6 becomes IPv4).
	 * @param text the text
	 * @return the address, or {@code null} when the text is not an IP literal
	 */
	public static @Nullable InetAddress parseAddress(String text) {
		if (text.isEmpty() || text.length() > 45) {
			return null;
		}
		if (text.indexOf(':') >= 0) {
			// Starting with a hex digit or ':' and holding a ':' makes InetAddress parse
			// it as an IPv6 literal or fail; anything else could be handed to the name
			// service.
			if (!isHexDigit(text.charAt(0)) && text.charAt(0) != ':') {
				return null;
			}
			for (int i = 0; i < text.length(); i++) {
				char ch = text.charAt(i);
				if (!isHexDigit(ch) && ch != ':' && ch != '.') {
					return null;
				}
			}
		}
		else if (!isIpv4(text)) {
			return null;
		}
		try {
			// A literal with ':' or a dotted quad is never looked up in DNS.
			return InetAddress.getByName(text);
		}
		catch (UnknownHostException | RuntimeException ex) {
			return null;
		}
	}

	private static boolean isIpv4(String text) {
		String[] octets = text.split("\\.", -1);
		if (octets.length != 4) {
			return false;
		}
		for (String octet : octets) {
			if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(AddressRange::isDigit)
					|| Integer.parseInt(octet) > 255) {
				return false;
			}
		}
		return true;
	}

	// ASCII only: Character.isDigit and Character.digit also accept other scripts'
	// digits.
	private static boolean isDigit(int ch) {
		return ch >= '0' && ch <= '9';
	}

	private static boolean isHexDigit(char ch) {
		return isDigit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
	}

	/**
	 * Whether the address lies in this range.
	 * @param address the address
	 * @return {@code true} when it does
	 */
	public boolean contains(InetAddress address) {
		byte[] candidate = address.getAddress();
		if (candidate.length != this.network.length) {
			return false;
		}
		int fullBytes = this.prefixLength / 8;
		for (int i = 0; i < fullBytes; i++) {
			if (candidate[i] != this.network[i]) {
				return false;
			}
		}
		int remainingBits = this.prefixLength % 8;
		if (remainingBits == 0) {
			return true;
		}
		int mask = (0xFF << (8 - remainingBits)) & 0xFF;
		return (candidate[fullBytes] & mask) == (this.network[fullBytes] & mask);
	}

}
