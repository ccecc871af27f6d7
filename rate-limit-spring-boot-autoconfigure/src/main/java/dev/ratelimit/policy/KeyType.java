package dev.ratelimit.policy;

/**
 * Whose budget a request is charged to.
 *
 * @author rate-limit-spring-boot
 */
public enum KeyType {

	/**
	 * The caller: authenticated principal, else API key, else client IP.
	 */
	IDENTITY,

	/**
	 * The client IP, whoever the caller claims to be (e.g. login attempts).
	 */
	IP,

	/**
	 * One budget shared by all callers.
	 */
	GLOBAL

}
