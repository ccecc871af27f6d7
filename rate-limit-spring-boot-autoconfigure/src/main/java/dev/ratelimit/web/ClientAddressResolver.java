package dev.ratelimit.web;

import java.net.InetAddress;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Finds the client address of a request. The forwarding header ({@code X-Forwarded-For}
 * by default, or the RFC 7239 {@code Forwarded} header) is read only when the peer is a
 * trusted proxy; then its hops are walked from the right and the first address that is
 * not a trusted proxy is the client. A client can prepend whatever it likes to that
 * header, but never gets past the addresses the trusted proxies appended.
 * <p>
 * Only one header is read, the one the proxies are configured to write: a proxy that
 * writes {@code X-Forwarded-For} usually passes a client's own {@code Forwarded} header
 * through untouched, so preferring whichever header is present would let that client
 * choose its address. Several lines of the header are read as one list, in order, as RFC
 * 9110 defines. A hop that is not an IP literal (a host name, {@code unknown}, an
 * obfuscated identifier, garbage) ends the walk: the request is charged to the last
 * address a trusted proxy vouched for.
 *
 * @author rate-limit-spring-boot
 */
public final class ClientAddressResolver {

	/**
	 * The header read by default: {@code X-Forwarded-For}.
	 */
	public static final String X_FORWARDED_FOR = "X-Forwarded-For";

	/**
	 * The RFC 7239 header, whose {@code for} parameters are read.
	 */
	public static final String FORWARDED = "Forwarded";

	/**
	 * Most hops walked: a chain of trusted proxies longer than this is a loop or an
	 * attack.
	 */
	private static final int MAX_HOPS = 32;

	private final List<AddressRange> trustedProxies;

	private final String forwardedHeader;

	private final boolean rfc7239;

	/**
	 * Create a resolver that reads {@code X-Forwarded-For} from trusted proxies.
	 * @param trustedProxies the trusted proxies
	 */
	public ClientAddressResolver(List<AddressRange> trustedProxies) {
		this(trustedProxies, X_FORWARDED_FOR);
	}

	/**
	 * Create a resolver.
	 * @param trustedProxies the trusted proxies
	 * @param forwardedHeader the header the trusted proxies append the client address to:
	 * {@value #FORWARDED} (RFC 7239), or a comma-separated list such as
	 * {@value #X_FORWARDED_FOR}
	 */
	public ClientAddressResolver(List<AddressRange> trustedProxies, String forwardedHeader) {
		Assert.hasText(forwardedHeader, "'forwardedHeader' must not be empty");
		this.trustedProxies = List.copyOf(trustedProxies);
		this.forwardedHeader = forwardedHeader.trim();
		this.rfc7239 = FORWARDED.equalsIgnoreCase(this.forwardedHeader);
	}

	/**
	 * The client address of a request, normalised (e.g. {@code ::1}, not
	 * {@code 0:0:0:0:0:0:0:1}).
	 * @param request the request
	 * @return the address
	 */
	public String resolve(HttpServletRequest request) {
		InetAddress address = resolveAddress(request);
		if (address == null) {
			// Not an IP peer (e.g. a Unix domain socket): all such peers share one
			// budget.
			String peer = request.getRemoteAddr();
			return StringUtils.hasLength(peer) ? peer : "unknown";
		}
		return address.getHostAddress();
	}

	/**
	 * The client address of a request, as {@link #resolve(HttpServletRequest)} finds it.
	 * @param request the request
	 * @return the address, or {@code null} when the peer is not an IP peer (e.g. a Unix
	 * domain socket)
	 */
	public @Nullable InetAddress resolveAddress(HttpServletRequest request) {
		String peer = request.getRemoteAddr();
		InetAddress address = StringUtils.hasLength(peer) ? AddressRange.parseAddress(peer) : null;
		if (address == null) {
			return null;
		}
		return isTrusted(address) ? forwardedClient(address, request) : address;
	}

	/**
	 * Whether a request came straight from a trusted proxy, so that what that proxy wrote
	 * into the request's headers (a forwarded client, a CDN's country) can be believed.
	 * @param request the request
	 * @return {@code true} when the peer is a trusted proxy
	 */
	public boolean isFromTrustedProxy(HttpServletRequest request) {
		if (this.trustedProxies.isEmpty()) {
			return false;
		}
		String peer = request.getRemoteAddr();
		InetAddress address = StringUtils.hasLength(peer) ? AddressRange.parseAddress(peer) : null;
		return address != null && isTrusted(address);
	}

	private boolean isTrusted(InetAddress address) {
		for (AddressRange range : this.trustedProxies) {
			if (range.contains(address)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Walk the hops from the right, lazily: only as much of the header is parsed as the
	 * trusted proxies account for, however long a client made it.
	 */
	private InetAddress forwardedClient(InetAddress peer, HttpServletRequest request) {
		List<String> lines = headerLines(request);
		InetAddress client = peer;
		int hops = 0;
		for (int line = lines.size() - 1; line >= 0; line--) {
			String value = lines.get(line);
			int end = value.length();
			while (end >= 0) {
				if (!isTrusted(client) || hops++ == MAX_HOPS) {
					return client;
				}
				int comma = value.lastIndexOf(',', end - 1);
				InetAddress hop = AddressRange.parseAddress(address(value.substring(comma + 1, end)));
				if (hop == null) {
					return client;
				}
				client = hop;
				end = comma;
			}
		}
		return client;
	}

	private List<String> headerLines(HttpServletRequest request) {
		Enumeration<String> values = request.getHeaders(this.forwardedHeader);
		if (values == null || !values.hasMoreElements()) {
			return List.of();
		}
		return Collections.list(values);
	}

	private String address(String hop) {
		return stripPort(this.rfc7239 ? forParameter(hop) : hop.trim());
	}

	/**
	 * The {@code for} parameter of one RFC 7239 element, e.g.
	 * {@code for="[2001:db8::1]:4711"}; empty when it has none.
	 */
	private static String forParameter(String element) {
		String address = "";
		for (String pair : StringUtils.delimitedListToStringArray(element, ";")) {
			int equals = pair.indexOf('=');
			if (equals > 0 && pair.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("for")) {
				address = unquote(pair.substring(equals + 1).trim());
			}
		}
		return address;
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
