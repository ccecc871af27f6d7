package dev.ratelimit.web;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.util.StringUtils;

/**
 * Finds the client address of a request. {@code Forwarded} and {@code X-Forwarded-For} are read
 * only when the peer is a trusted proxy; then the hops are walked from the right and the first
 * address that is not a trusted proxy is the client. A client can prepend whatever it likes to
 * those headers, but never gets past the addresses the trusted proxies appended.
 *
 * @author rate-limit-spring-boot
 */
public final class ClientAddressResolver {

	private static final int MAX_HOPS = 32;

	private final List<AddressRange> trustedProxies;

	public ClientAddressResolver(List<AddressRange> trustedProxies) {
		this.trustedProxies = List.copyOf(trustedProxies);
	}

	/**
	 * The client address of a request, normalised (e.g. {@code ::1}, not {@code 0:0:0:0:0:0:0:1}).
	 * @param request the request
	 * @return the address
	 */
	public String resolve(HttpServletRequest request) {
		String peer = request.getRemoteAddr();
		InetAddress client = AddressRange.parseAddress(peer);
		if (client == null) {
			return peer;
		}
		if (!isTrusted(client)) {
			return client.getHostAddress();
		}
		List<String> hops = forwardedHops(request);
		for (int i = hops.size() - 1; i >= 0 && isTrusted(client); i--) {
			InetAddress hop = AddressRange.parseAddress(hops.get(i));
			if (hop == null) {
				// A hop we cannot read: stop at the last address a trusted proxy vouched for.
				break;
			}
			client = hop;
		}
		return client.getHostAddress();
	}

	private boolean isTrusted(InetAddress address) {
		for (AddressRange range : this.trustedProxies) {
			if (range.contains(address)) {
				return true;
			}
		}
		return false;
	}

	private static List<String> forwardedHops(HttpServletRequest request) {
		String forwarded = request.getHeader("Forwarded");
		if (forwarded != null) {
			return forwardedFor(forwarded);
		}
		String forwardedFor = request.getHeader("X-Forwarded-For");
		if (forwardedFor == null) {
			return List.of();
		}
		List<String> hops = new ArrayList<>();
		for (String hop : rightMostHops(forwardedFor)) {
			hops.add(stripPort(hop.trim()));
		}
		return hops;
	}

	private static List<String> forwardedFor(String forwarded) {
		List<String> hops = new ArrayList<>();
		for (String element : rightMostHops(forwarded)) {
			String address = "";
			for (String pair : element.split(";")) {
				int equals = pair.indexOf('=');
				if (equals > 0 && pair.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("for")) {
					address = stripPort(unquote(pair.substring(equals + 1).trim()));
				}
			}
			hops.add(address);
		}
		return hops;
	}

	private static List<String> rightMostHops(String value) {
		String[] parts = StringUtils.delimitedListToStringArray(value, ",");
		// Only the right-most hops matter: those are the ones trusted proxies appended.
		int from = Math.max(0, parts.length - MAX_HOPS);
		return List.of(parts).subList(from, parts.length);
	}

	private static String unquote(String value) {
		return (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\""))
				? value.substring(1, value.length() - 1) : value;
	}

	private static String stripPort(String hop) {
		if (hop.startsWith("[")) {
			int close = hop.indexOf(']');
			return (close > 0) ? hop.substring(1, close) : hop;
		}
		int colon = hop.indexOf(':');
		return (colon > 0 && colon == hop.lastIndexOf(':')) ? hop.substring(0, colon) : hop;
	}

}
