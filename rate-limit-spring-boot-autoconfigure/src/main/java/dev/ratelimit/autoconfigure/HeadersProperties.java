package dev.ratelimit.autoconfigure;

/**
 * Which rate limit headers responses carry.
 *
 * @author rate-limit-spring-boot
 */
public class HeadersProperties {

	/**
	 * Whether to send X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset.
	 */
	private boolean legacy = true;

	/**
	 * Whether to also send the IETF RateLimit and RateLimit-Policy fields
	 * (draft-ietf-httpapi-ratelimit-headers-10).
	 */
	private boolean ietf = false;

	public boolean isLegacy() {
		return this.legacy;
	}

	public void setLegacy(boolean legacy) {
		this.legacy = legacy;
	}

	public boolean isIetf() {
		return this.ietf;
	}

	public void setIetf(boolean ietf) {
		this.ietf = ietf;
	}

}
