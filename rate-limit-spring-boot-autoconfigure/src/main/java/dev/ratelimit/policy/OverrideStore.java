package dev.ratelimit.policy;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Where operators' {@link RateLimitOverride}s live. {@link #find(String)} runs on every
 * limited request and must be a local read: implementations that share overrides between
 * instances keep a local copy and refresh it in the background.
 *
 * @author rate-limit-spring-boot
 */
public interface OverrideStore {

	/**
	 * The override of a scope, if one is active.
	 * @param scope the caller's hashed scope, e.g. {@code u:3fa9…}
	 * @return the active override, or {@code null}
	 */
	@Nullable RateLimitOverride find(String scope);

	/**
	 * Every active override.
	 * @return the overrides by scope
	 */
	Map<String, RateLimitOverride> findAll();

	/**
	 * Set the override of a scope, replacing any other. It applies on this instance at
	 * once, and on the instances that share this store as soon as they next see the
	 * store's changes.
	 * @param scope the scope
	 * @param override the override
	 */
	void put(String scope, RateLimitOverride override);

	/**
	 * Lift the override of a scope.
	 * @param scope the scope
	 * @return whether there was one
	 */
	boolean remove(String scope);

}
