package dev.ratelimit.policy;

import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * The users named in the configuration, by the hashed scope their requests are charged to
 * (e.g. {@code u:3fa9…}): never by the raw name, so that the names stay in the
 * configuration.
 *
 * @author rate-limit-spring-boot
 */
public final class NamedUsers {

	private static final NamedUsers NONE = new NamedUsers(Map.of());

	private final Map<String, NamedUser> byScope;

	/**
	 * Create the named users.
	 * @param byScope the users by the scope of their requests
	 */
	public NamedUsers(Map<String, NamedUser> byScope) {
		this.byScope = Map.copyOf(byScope);
	}

	/**
	 * No named users.
	 * @return none
	 */
	public static NamedUsers none() {
		return NONE;
	}

	/**
	 * The named user whose requests are charged to a scope.
	 * @param scope the caller's scope
	 * @return the user, or {@code null} when the caller is not a named user
	 */
	public @Nullable NamedUser find(String scope) {
		return this.byScope.isEmpty() ? null : this.byScope.get(scope);
	}

	/**
	 * Every named user.
	 * @return the users by scope, sorted
	 */
	public Map<String, NamedUser> all() {
		return new TreeMap<>(this.byScope);
	}

}
