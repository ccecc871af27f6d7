package dev.ratelimit.web;

import java.security.Principal;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Identifies the caller by the authenticated principal, else by the API key header (when
 * one is configured), else by the client address. Every value is hashed.
 * <p>
 * An API key is used as it is presented, so it must be 1 to {@code maxApiKeyLength}
 * visible ASCII characters (no spaces, control characters or non-ASCII bytes); anything
 * else is rejected with a {@link MalformedRequestException} (a {@code 400}) rather than
 * hashed into a budget of its own. An empty header counts as absent.
 * <p>
 * The API key header identifies callers only as well as the application validates keys: a
 * key that nothing checks is chosen by the client, and a new key is a new budget.
 * Configure it only when unknown keys are rejected before the rate limit filter, or
 * authenticate keys so that the principal identifies the caller.
 *
 * @author rate-limit-spring-boot
 */
public final class DefaultIdentityResolver implements IdentityResolver {

	/**
	 * The default longest API key, in characters.
	 */
	public static final int DEFAULT_MAX_API_KEY_LENGTH = 256;

	private final @Nullable String apiKeyHeader;

	private final int maxApiKeyLength;

	private final ClientAddressResolver clientAddressResolver;

	/**
	 * Create a resolver that accepts API keys of up to
	 * {@value #DEFAULT_MAX_API_KEY_LENGTH} characters.
	 * @param apiKeyHeader the API key header, or {@code null} or empty to not identify by
	 * API key
	 * @param clientAddressResolver resolves the client address
	 */
	public DefaultIdentityResolver(@Nullable String apiKeyHeader, ClientAddressResolver clientAddressResolver) {
		this(apiKeyHeader, DEFAULT_MAX_API_KEY_LENGTH, clientAddressResolver);
	}

	/**
	 * Create a resolver.
	 * @param apiKeyHeader the API key header, or {@code null} or empty to not identify by
	 * API key
	 * @param maxApiKeyLength the longest API key accepted, in characters
	 * @param clientAddressResolver resolves the client address
	 */
	public DefaultIdentityResolver(@Nullable String apiKeyHeader, int maxApiKeyLength,
			ClientAddressResolver clientAddressResolver) {
		Assert.isTrue(maxApiKeyLength > 0, "'maxApiKeyLength' must be positive");
		this.apiKeyHeader = StringUtils.hasText(apiKeyHeader) ? apiKeyHeader.trim() : null;
		this.maxApiKeyLength = maxApiKeyLength;
		this.clientAddressResolver = clientAddressResolver;
	}

	@Override
	public Identity resolve(HttpServletRequest request) {
		Principal principal = request.getUserPrincipal();
		if (principal != null && StringUtils.hasText(principal.getName())) {
			return Identity.user(principal.getName());
		}
		if (this.apiKeyHeader != null) {
			String apiKey = apiKey(request.getHeader(this.apiKeyHeader));
			if (apiKey != null) {
				return Identity.apiKey(apiKey);
			}
		}
		return Identity.address(this.clientAddressResolver.resolve(request));
	}

	private @Nullable String apiKey(@Nullable String header) {
		if (header == null) {
			return null;
		}
		String apiKey = stripWhitespace(header);
		if (apiKey.isEmpty()) {
			return null;
		}
		if (apiKey.length() > this.maxApiKeyLength) {
			throw new MalformedRequestException(
					"The " + this.apiKeyHeader + " header is longer than " + this.maxApiKeyLength + " characters.");
		}
		for (int i = 0; i < apiKey.length(); i++) {
			char ch = apiKey.charAt(i);
			if (ch < 0x21 || ch > 0x7E) {
				throw new MalformedRequestException("The " + this.apiKeyHeader
						+ " header may only hold visible ASCII characters (no spaces or control characters).");
			}
		}
		return apiKey;
	}

	/**
	 * Strip spaces and tabs, the optional whitespace around a header value, and nothing
	 * else: a control character is an error, not padding.
	 */
	private static String stripWhitespace(String value) {
		int start = 0;
		int end = value.length();
		while (start < end && isWhitespace(value.charAt(start))) {
			start++;
		}
		while (end > start && isWhitespace(value.charAt(end - 1))) {
			end--;
		}
		return value.substring(start, end);
	}

	private static boolean isWhitespace(char ch) {
		return ch == ' ' || ch == '\t';
	}

}
