package dev.ratelimit.core;

import java.util.Locale;

/**
 * What kind of budget a scope is: one caller's, one client address's, or everyone's.
 * Reported as the {@code scope} of a denial, so that a client can tell its own limit from
 * the service's.
 *
 * @author rate-limit-spring-boot
 */
public enum ScopeKind {

	/**
	 * One caller: a user or an API key ({@code u:…}, {@code k:…}).
	 */
	CALLER,

	/**
	 * One client address ({@code ip:…}).
	 */
	IP,

	/**
	 * Every caller together ({@code global}).
	 */
	GLOBAL;

	/**
	 * The scope of all callers together.
	 */
	public static final String GLOBAL_SCOPE = "global";

	private final String value = name().toLowerCase(Locale.ROOT);

	/**
	 * The kind of a scope, from the way scopes are written.
	 * @param scope a scope such as {@code u:3fa9…}, {@code ip:…} or {@code global}
	 * @return the kind
	 */
	public static ScopeKind of(String scope) {
		if (scope.equals(GLOBAL_SCOPE)) {
			return GLOBAL;
		}
		return scope.startsWith("ip:") ? IP : CALLER;
	}

	/**
	 * The kind as clients see it: {@code caller}, {@code ip} or {@code global}.
	 * @return the lower-case name
	 */
	public String value() {
		return this.value;
	}

}
