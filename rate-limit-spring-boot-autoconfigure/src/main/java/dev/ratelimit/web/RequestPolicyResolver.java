package dev.ratelimit.web;

import java.time.Clock;
import java.util.List;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.policy.InMemoryOverrideStore;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.NamedUser;
import dev.ratelimit.policy.NamedUsers;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.TierPolicy;
import dev.ratelimit.policy.dynamic.Adjustments;
import dev.ratelimit.policy.dynamic.DynamicLimits;
import dev.ratelimit.policy.dynamic.GeographyMultipliers;
import dev.ratelimit.web.AnnotatedOperations.AnnotatedOperation;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * Applies the {@link RateLimitPolicy} to an HTTP request: excluded paths first (no
 * further work), then the operation ({@code @RateLimited}, else path rule, else default),
 * the identity and tier of the caller, any operator's {@link RateLimitOverride} of the
 * caller (a local lookup), else the caller's {@link NamedUser} entry of the configuration
 * (a map lookup), the dynamic multipliers of the caller's limits (from signals held in
 * memory), and the limits and cost. An operator's override replaces a named user's entry
 * as a whole.
 *
 * @author rate-limit-spring-boot
 */
public final class RequestPolicyResolver {

	private final RateLimitPolicy policy;

	private final AnnotatedOperations annotatedOperations;

	private final IdentityResolver identityResolver;

	private final TierResolver tierResolver;

	private final ClientAddressResolver clientAddressResolver;

	private final OverrideStore overrides;

	private final NamedUsers namedUsers;

	private final @Nullable DynamicLimits dynamicLimits;

	private final @Nullable String countryHeader;

	public RequestPolicyResolver(RateLimitPolicy policy, AnnotatedOperations annotatedOperations,
			IdentityResolver identityResolver, TierResolver tierResolver, ClientAddressResolver clientAddressResolver) {
		this(policy, annotatedOperations, identityResolver, tierResolver, clientAddressResolver,
				new InMemoryOverrideStore(Clock.systemUTC()));
	}

	public RequestPolicyResolver(RateLimitPolicy policy, AnnotatedOperations annotatedOperations,
			IdentityResolver identityResolver, TierResolver tierResolver, ClientAddressResolver clientAddressResolver,
			OverrideStore overrides) {
		this(policy, annotatedOperations, identityResolver, tierResolver, clientAddressResolver, overrides, null);
	}

	/**
	 * Create a resolver that also applies dynamic multipliers.
	 * @param policy the rules
	 * @param annotatedOperations the handlers' {@code @RateLimited} operations
	 * @param identityResolver resolves the caller
	 * @param tierResolver resolves the caller's tier
	 * @param clientAddressResolver resolves the client address (and whether its proxy is
	 * trusted)
	 * @param overrides the operators' overrides
	 * @param dynamicLimits the dynamic multipliers, or {@code null} when none is
	 * configured
	 */
	public RequestPolicyResolver(RateLimitPolicy policy, AnnotatedOperations annotatedOperations,
			IdentityResolver identityResolver, TierResolver tierResolver, ClientAddressResolver clientAddressResolver,
			OverrideStore overrides, @Nullable DynamicLimits dynamicLimits) {
		this(policy, annotatedOperations, identityResolver, tierResolver, clientAddressResolver, overrides,
				dynamicLimits, NamedUsers.none());
	}

	/**
	 * Create a resolver that also applies dynamic multipliers and, to callers no
	 * operator's override applies to, the users named in the configuration.
	 * @param policy the rules
	 * @param annotatedOperations the handlers' {@code @RateLimited} operations
	 * @param identityResolver resolves the caller
	 * @param tierResolver resolves the caller's tier
	 * @param clientAddressResolver resolves the client address (and whether its proxy is
	 * trusted)
	 * @param overrides the operators' overrides
	 * @param dynamicLimits the dynamic multipliers, or {@code null} when none is
	 * configured
	 * @param namedUsers the users named in the configuration
	 */
	public RequestPolicyResolver(RateLimitPolicy policy, AnnotatedOperations annotatedOperations,
			IdentityResolver identityResolver, TierResolver tierResolver, ClientAddressResolver clientAddressResolver,
			OverrideStore overrides, @Nullable DynamicLimits dynamicLimits, NamedUsers namedUsers) {
		this.namedUsers = namedUsers;
		this.dynamicLimits = dynamicLimits;
		GeographyMultipliers geography = (dynamicLimits != null) ? dynamicLimits.geography() : null;
		this.countryHeader = (geography != null) ? geography.header() : null;
		this.overrides = overrides;
		this.policy = policy;
		this.annotatedOperations = annotatedOperations;
		this.identityResolver = identityResolver;
		this.tierResolver = tierResolver;
		this.clientAddressResolver = clientAddressResolver;
	}

	/**
	 * Resolve a request.
	 * @param request the request
	 * @return what applies, or {@code null} when the path is excluded
	 * @throws MalformedRequestException when the path cannot be decoded or the identity
	 * resolver rejects the request
	 */
	public @Nullable ResolvedRequest resolve(HttpServletRequest request) {
		RequestPath requestPath = parsePath(request);
		PathContainer path = requestPath.pathWithinApplication();
		if (this.policy.isExcluded(path)) {
			return null;
		}
		AnnotatedOperation annotated = this.annotatedOperations.find(request, requestPath);
		OperationPolicy operation = (annotated != null) ? annotated.operation()
				: this.policy.operationFor(request.getMethod(), path);
		long cost = (annotated != null) ? annotated.cost() : operation.cost();
		Identity caller = this.identityResolver.resolve(request);
		TierPolicy tier = this.policy.tierOrDefault(this.tierResolver.resolveTier(request, caller));
		Identity owner = budgetOwner(operation, caller, request);
		RateLimitOverride override = this.overrides.find(caller.scope());
		// The service's own limits, on every tier (unlimited ones too); an operation
		// keyed by global has none, its limits being everyone's already.
		List<LimitSpec> global = operation.global();
		if (override == null) {
			// A named user is configured with limits of its own for operations keyed by
			// identity only, so its tier applies to every budget of the request.
			NamedUser named = this.namedUsers.find(caller.scope());
			if (named != null) {
				tier = named.effectiveTier(tier);
			}
		}
		if (override == null && this.dynamicLimits == null) {
			return new ResolvedRequest(operation, tier, owner, tier.limitsFor(operation), cost, null, global);
		}
		if (override != null) {
			tier = override.effectiveTier(this.policy, tier);
		}
		List<LimitSpec> limits = tier.limitsFor(operation);
		// A multiplier raises the caller's own budgets, never one it shares with other
		// callers.
		if (override != null && owner.equals(caller)) {
			limits = override.scale(limits);
		}
		Adjustments adjustments = Adjustments.NONE;
		// Dynamic multipliers adjust what a plan grants its callers: not the limits of
		// operations keyed by address or global, which protect the service itself.
		if (this.dynamicLimits != null && operation.key() == KeyType.IDENTITY && !limits.isEmpty()) {
			adjustments = this.dynamicLimits.adjustments(caller.scope(), country(request));
			limits = adjustments.apply(limits);
		}
		return new ResolvedRequest(operation, tier, owner, limits, cost, override, global, adjustments);
	}

	/**
	 * The country a trusted proxy (a CDN) wrote into the request, or {@code null} when
	 * geography is not configured, the header is absent, or the peer is not trusted to
	 * write it (a client's own header is never believed).
	 */
	private @Nullable String country(HttpServletRequest request) {
		if (this.countryHeader == null || !this.clientAddressResolver.isFromTrustedProxy(request)) {
			return null;
		}
		return request.getHeader(this.countryHeader);
	}

	private static RequestPath parsePath(HttpServletRequest request) {
		try {
			return ServletRequestPathUtils.parse(request);
		}
		catch (IllegalArgumentException ex) {
			// E.g. "/api;%zz": the server passes path parameters on undecoded, and no
			// rule can be matched against a path that cannot be decoded (nor can Spring
			// MVC map it).
			throw new MalformedRequestException("The request path is not valid percent-encoding.");
		}
	}

	private Identity budgetOwner(OperationPolicy operation, Identity caller, HttpServletRequest request) {
		if (operation.key() == KeyType.GLOBAL) {
			return Identity.global();
		}
		if (operation.key() == KeyType.IP && !"ip".equals(caller.kind())) {
			return Identity.address(this.clientAddressResolver.resolve(request));
		}
		return caller;
	}

}
