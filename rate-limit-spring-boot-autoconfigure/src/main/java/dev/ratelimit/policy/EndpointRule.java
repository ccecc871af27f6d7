package dev.ratelimit.policy;

import java.util.Comparator;

import org.jspecify.annotations.Nullable;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;

/**
 * A configured path rule: requests with this method (any when {@code null}) whose path
 * matches the pattern belong to the operation.
 *
 * @param method the HTTP method, or {@code null} for any
 * @param pattern the precompiled path pattern
 * @param operation the operation
 * @author rate-limit-spring-boot
 */
public record EndpointRule(@Nullable String method, PathPattern pattern, OperationPolicy operation) {

	/**
	 * Most specific first: by pattern specificity, then rules that name a method before
	 * those that do not.
	 */
	static final Comparator<EndpointRule> MOST_SPECIFIC_FIRST = Comparator
		.comparing(EndpointRule::pattern, PathPattern.SPECIFICITY_COMPARATOR)
		.thenComparing((rule) -> rule.method() == null);

	boolean matches(String requestMethod, PathContainer path) {
		return (this.method == null || this.method.equals(requestMethod)) && this.pattern.matches(path);
	}

	@Override
	public String toString() {
		return ((this.method != null) ? this.method + " " : "") + this.pattern.getPatternString() + " -> "
				+ this.operation.name();
	}

}
