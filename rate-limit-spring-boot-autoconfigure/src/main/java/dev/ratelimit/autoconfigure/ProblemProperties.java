package dev.ratelimit.autoconfigure;

/**
 * The RFC 9457 problem body of a denied request.
 *
 * @author rate-limit-spring-boot
 */
public class ProblemProperties {

	/**
	 * Problem type URI of a denied request.
	 */
	private String type = "about:blank";

	public String getType() {
		return this.type;
	}

	public void setType(String type) {
		this.type = type;
	}

}
