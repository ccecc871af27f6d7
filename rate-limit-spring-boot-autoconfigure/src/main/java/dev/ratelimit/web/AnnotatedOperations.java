package dev.ratelimit.web;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitConfigurationException;
import dev.ratelimit.policy.RateLimitPolicy;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.mvc.condition.PathPatternsRequestCondition;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The {@link RateLimited @RateLimited} controller methods. Collected and validated once,
 * when all singletons exist (an annotation naming an unknown operation stops startup). On
 * a request, the handler is looked up with Spring MVC's own handler mappings, so the
 * annotation applies to exactly the requests that method will handle, however the path is
 * spelled.
 * <p>
 * That look-up is as costly as the one the {@code DispatcherServlet} makes afterwards, so
 * it is made only for a request that an annotated method could handle at all: one whose
 * path matches one of the annotated methods' path patterns (the patterns the handler
 * mappings match, so no request they would route to an annotated method is missed). Other
 * requests, and every request when no method is annotated, cost a few pattern matches or
 * nothing.
 *
 * @author rate-limit-spring-boot
 */
public final class AnnotatedOperations implements SmartInitializingSingleton {

	private final RateLimitPolicy policy;

	private final ObjectProvider<RequestMappingHandlerMapping> handlerMappings;

	private volatile List<RequestMappingHandlerMapping> mappings = List.of();

	private volatile Map<Method, AnnotatedOperation> operations = Map.of();

	private volatile List<AnnotatedHandler> handlers = List.of();

	/**
	 * The path patterns of the annotated methods, or {@code null} when some annotated
	 * method is not mapped by path patterns (a mapping configured with
	 * {@code AntPathMatcher}): then every request is looked up.
	 */
	private volatile @Nullable List<PathPattern> annotatedPatterns = List.of();

	public AnnotatedOperations(RateLimitPolicy policy, ObjectProvider<RequestMappingHandlerMapping> handlerMappings) {
		this.policy = policy;
		this.handlerMappings = handlerMappings;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<RequestMappingHandlerMapping> mappings = this.handlerMappings.orderedStream().toList();
		Map<Method, AnnotatedOperation> operations = new HashMap<>();
		List<AnnotatedHandler> handlers = new ArrayList<>();
		List<PathPattern> patterns = new ArrayList<>();
		boolean[] allByPattern = { true };
		for (RequestMappingHandlerMapping mapping : mappings) {
			mapping.getHandlerMethods().forEach((info, handlerMethod) -> {
				AnnotatedOperation operation = annotatedOperation(handlerMethod);
				if (operation != null) {
					operations.put(handlerMethod.getMethod(), operation);
					handlers.add(new AnnotatedHandler(info.toString(), operation));
					PathPatternsRequestCondition condition = info.getPathPatternsCondition();
					if (condition != null) {
						patterns.addAll(condition.getPatterns());
					}
					else {
						allByPattern[0] = false;
					}
				}
			});
		}
		this.mappings = mappings;
		this.operations = Map.copyOf(operations);
		this.handlers = List.copyOf(handlers);
		this.annotatedPatterns = allByPattern[0] ? List.copyOf(patterns) : null;
	}

	private @Nullable AnnotatedOperation annotatedOperation(HandlerMethod handlerMethod) {
		Method method = handlerMethod.getMethod();
		RateLimited annotation = AnnotatedElementUtils.findMergedAnnotation(method, RateLimited.class);
		if (annotation == null) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(handlerMethod.getBeanType(), RateLimited.class);
		}
		if (annotation == null) {
			return null;
		}
		String source = "@RateLimited on " + handlerMethod.getBeanType().getName() + "." + method.getName();
		OperationPolicy operation = this.policy.operation(annotation.operation());
		if (operation == null) {
			throw new RateLimitConfigurationException(source,
					"operation '" + annotation.operation() + "' is not configured",
					"Give it limits under rate-limit.tiers.<tier>.limits." + annotation.operation()
							+ " or rate-limit.operations." + annotation.operation() + ".limits.");
		}
		if (annotation.concurrent() < 0) {
			throw new RateLimitConfigurationException(source,
					"concurrent must not be negative, was " + annotation.concurrent(),
					"Set the number of requests in flight per caller, or 0 (the default) for none.");
		}
		if (annotation.concurrent() > 0) {
			operation = operation
				.withConcurrent(LimitSpec.concurrency(annotation.concurrent(), this.policy.leaseTimeout()));
		}
		if (annotation.shadow()) {
			operation = operation.withShadow();
		}
		long cost = (annotation.cost() >= 0) ? annotation.cost() : operation.cost();
		this.policy.validateCost(operation, cost, source);
		return new AnnotatedOperation(operation, cost);
	}

	/**
	 * The annotated operation of the handler that will serve a request. Needs no handler
	 * lookup when no method is annotated, nor when no annotated method's pattern matches
	 * the path.
	 * @param request the request
	 * @param path the request's parsed path, reused rather than parsed again
	 * @return the operation and cost, or {@code null} when the handler is not annotated
	 */
	public @Nullable AnnotatedOperation find(HttpServletRequest request, RequestPath path) {
		if (this.operations.isEmpty() || !mayBeAnnotated(path.pathWithinApplication())) {
			return null;
		}
		HttpServletRequest lookup = new AttributeIsolatingRequest(request);
		ServletRequestPathUtils.setParsedRequestPath(path, lookup);
		for (RequestMappingHandlerMapping mapping : this.mappings) {
			try {
				HandlerExecutionChain chain = mapping.getHandler(lookup);
				if (chain != null) {
					return (chain.getHandler() instanceof HandlerMethod handlerMethod)
							? this.operations.get(handlerMethod.getMethod()) : null;
				}
			}
			catch (Exception ex) {
				// No handler for this method or media type: MVC will answer 4xx itself.
				return null;
			}
		}
		return null;
	}

	/**
	 * Whether an annotated method could handle a request to this path. Only a candidate:
	 * a more specific mapping, or one of another request method, may still take the
	 * request, which is why a match is followed by the handler mappings' own look-up.
	 */
	private boolean mayBeAnnotated(PathContainer path) {
		List<PathPattern> patterns = this.annotatedPatterns;
		if (patterns == null) {
			return true;
		}
		for (int i = 0; i < patterns.size(); i++) {
			if (patterns.get(i).matches(path)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The handler methods annotated with {@link RateLimited}, for the operator's view of
	 * the rules.
	 * @return the annotated handlers, empty until every singleton is instantiated
	 */
	public List<AnnotatedHandler> handlers() {
		return this.handlers;
	}

	/**
	 * A handler method annotated with {@link RateLimited}.
	 *
	 * @param mapping the handler's request mapping, e.g. {@code {POST [/api/generate]}}
	 * @param operation its operation and the cost of one request
	 */
	public record AnnotatedHandler(String mapping, AnnotatedOperation operation) {
	}

	/**
	 * An annotated operation and the cost of one request.
	 *
	 * @param operation the operation
	 * @param cost the cost
	 */
	public record AnnotatedOperation(OperationPolicy operation, long cost) {
	}

}
