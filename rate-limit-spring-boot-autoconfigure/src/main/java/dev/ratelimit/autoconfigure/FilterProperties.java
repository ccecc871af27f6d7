package dev.ratelimit.autoconfigure;

/**
 * The servlet filter that enforces the limits.
 *
 * @author rate-limit-spring-boot
 */
public class FilterProperties {

	/**
	 * Order of the filter. The default runs it just after Spring Security's filter chain,
	 * so the authenticated principal is known.
	 */
	private int order = -90;

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

}
