package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ratelimit.resilience.FailureMode;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration properties for rate limiting.
 *
 * @author rate-limit-spring-boot
 */
@ConfigurationProperties("rate-limit")
public class RateLimitProperties {

	/**
	 * Whether to limit requests.
	 */
	private boolean enabled = true;

	/**
	 * Tier of callers that resolve to no tier. Must be one of the configured tiers.
	 */
	private String defaultTier = "free";

	/**
	 * Operation of requests that no @RateLimited annotation or path rule names.
	 */
	private String defaultOperation = "api_requests";

	/**
	 * Path patterns that are never limited and cost no backend call.
	 */
	private List<String> exclude = new ArrayList<>(List.of("/actuator/**", "/error"));

	/**
	 * Prefix of every Redis key the limiter writes.
	 */
	private String keyPrefix = "rl";

	/**
	 * What to do while Redis cannot answer: 'local' enforces the same rules in memory on
	 * each instance, 'allow' lets every request through, 'deny' refuses limited requests
	 * with 503.
	 */
	private FailureMode failureMode = FailureMode.LOCAL;

	private final Redis redis = new Redis();

	@NestedConfigurationProperty
	private final FallbackProperties fallback = new FallbackProperties();

	private final Identity identity = new Identity();

	@NestedConfigurationProperty
	private final HeadersProperties headers = new HeadersProperties();

	@NestedConfigurationProperty
	private final FilterProperties filter = new FilterProperties();

	@NestedConfigurationProperty
	private final ProblemProperties problem = new ProblemProperties();

	@NestedConfigurationProperty
	private final DynamicProperties dynamic = new DynamicProperties();

	/**
	 * Tiers (plans) by name, e.g. free, pro, business, enterprise.
	 */
	private Map<String, TierProperties> tiers = new LinkedHashMap<>();

	/**
	 * Operations by name: how requests are matched to them, how they are keyed and what
	 * they cost.
	 */
	private Map<String, OperationProperties> operations = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getDefaultTier() {
		return this.defaultTier;
	}

	public void setDefaultTier(String defaultTier) {
		this.defaultTier = defaultTier;
	}

	public String getDefaultOperation() {
		return this.defaultOperation;
	}

	public void setDefaultOperation(String defaultOperation) {
		this.defaultOperation = defaultOperation;
	}

	public List<String> getExclude() {
		return this.exclude;
	}

	public void setExclude(List<String> exclude) {
		this.exclude = exclude;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public FailureMode getFailureMode() {
		return this.failureMode;
	}

	public void setFailureMode(FailureMode failureMode) {
		this.failureMode = failureMode;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public FallbackProperties getFallback() {
		return this.fallback;
	}

	public Identity getIdentity() {
		return this.identity;
	}

	public DynamicProperties getDynamic() {
		return this.dynamic;
	}

	public HeadersProperties getHeaders() {
		return this.headers;
	}

	public FilterProperties getFilter() {
		return this.filter;
	}

	public ProblemProperties getProblem() {
		return this.problem;
	}

	public Map<String, TierProperties> getTiers() {
		return this.tiers;
	}

	public void setTiers(Map<String, TierProperties> tiers) {
		this.tiers = tiers;
	}

	/**
	 * Callers never limited: no backend call, no rate limit headers, no budget charged.
	 */
	private final AccessListProperties allow = new AccessListProperties();

	/**
	 * Callers refused with 403 (a problem body) before any check. A caller on both lists
	 * is refused.
	 */
	private final AccessListProperties deny = new AccessListProperties();

	/**
	 * Named users, by principal name: a tier and/or their own limits per operation, in
	 * effect as an operator's override is, and below one.
	 */
	private List<NamedUserProperties> users = new ArrayList<>();

	public AccessListProperties getAllow() {
		return this.allow;
	}

	public AccessListProperties getDeny() {
		return this.deny;
	}

	public List<NamedUserProperties> getUsers() {
		return this.users;
	}

	public void setUsers(List<NamedUserProperties> users) {
		this.users = users;
	}

	/**
	 * Concurrency limits: how their leases live.
	 */
	private final Concurrency concurrency = new Concurrency();

	/**
	 * Budgets: how their calendar windows align.
	 */
	private final Budgets budgets = new Budgets();

	public Budgets getBudgets() {
		return this.budgets;
	}

	public Concurrency getConcurrency() {
		return this.concurrency;
	}

	public Map<String, OperationProperties> getOperations() {
		return this.operations;
	}

	public void setOperations(Map<String, OperationProperties> operations) {
		this.operations = operations;
	}

	/**
	 * Concurrency limits (requests in flight), held as leases.
	 */
	public static class Budgets {

		/**
		 * The time zone whose midnight starts a day (1d) and whose first of the month at
		 * midnight starts a month (1mo) of every budget, e.g. UTC or Europe/Berlin.
		 */
		private String zone = "UTC";

		public String getZone() {
			return this.zone;
		}

		public void setZone(String zone) {
			this.zone = zone;
		}

	}

	/**
	 * Concurrency limits (requests in flight), held as leases.
	 */
	public static class Concurrency {

		/**
		 * How long a lease lives unless renewed: a lease not renewed for this long is
		 * freed, because its instance died. Each instance renews the leases of its long
		 * requests every third of it. At least 1s.
		 */
		private Duration leaseTimeout = Duration.ofSeconds(30);

		public Duration getLeaseTimeout() {
			return this.leaseTimeout;
		}

		public void setLeaseTimeout(Duration leaseTimeout) {
			this.leaseTimeout = leaseTimeout;
		}

	}

	/**
	 * How the limiter talks to Redis.
	 */
	public static class Redis {

		/**
		 * Longest Redis may answer nothing at all, to any check, before a waiting check
		 * gives up on it (after a grace of half this, at most 100ms) and the failure mode
		 * decides. A check is waited for while Redis keeps answering others, so a busy
		 * machine is not mistaken for an outage; a broken connection falls back at once.
		 */
		private Duration timeout = Duration.ofMillis(750);

		/**
		 * Most limiter calls that wait for Redis at once on a blocking client (Jedis); a
		 * request beyond them (and a queue of the same size) is decided by the failure
		 * mode. Checks on Lettuce are asynchronous and do not use these threads.
		 */
		private int maxConcurrentCalls = 64;

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getMaxConcurrentCalls() {
			return this.maxConcurrentCalls;
		}

		public void setMaxConcurrentCalls(int maxConcurrentCalls) {
			this.maxConcurrentCalls = maxConcurrentCalls;
		}

	}

	/**
	 * How callers are identified.
	 */
	public static class Identity {

		/**
		 * Request header that carries an API key, e.g. X-API-Key. When set, the key
		 * identifies the caller (hashed) when no authenticated principal does. Empty (the
		 * default) to never identify callers by API key. Set it only when unknown keys
		 * are rejected before the rate limit filter: a key that nothing validates is
		 * chosen by the client, and every new key would be a fresh budget.
		 */
		private String apiKeyHeader = "";

		/**
		 * Longest API key accepted, in characters. A longer key, or one with anything but
		 * visible ASCII characters, is answered with 400.
		 */
		private int apiKeyMaxLength = 256;

		/**
		 * Addresses or CIDR ranges of proxies whose forwarded header (see
		 * forwarded-header) is trusted. Requests from any other peer are identified by
		 * the peer address.
		 */
		private List<String> trustedProxies = new ArrayList<>();

		/**
		 * Header in which the trusted proxies pass on the client address: X-Forwarded-For
		 * (a comma-separated list), or Forwarded (RFC 7239, its "for" parameters). Only
		 * this header is read, so a header the proxies pass through from the client is
		 * never believed.
		 */
		private String forwardedHeader = "X-Forwarded-For";

		/**
		 * Prefix of the granted authorities that name a caller's tier, e.g. TIER_pro.
		 */
		private String tierAuthorityPrefix = "TIER_";

		public String getApiKeyHeader() {
			return this.apiKeyHeader;
		}

		public void setApiKeyHeader(String apiKeyHeader) {
			this.apiKeyHeader = apiKeyHeader;
		}

		public int getApiKeyMaxLength() {
			return this.apiKeyMaxLength;
		}

		public void setApiKeyMaxLength(int apiKeyMaxLength) {
			this.apiKeyMaxLength = apiKeyMaxLength;
		}

		public String getForwardedHeader() {
			return this.forwardedHeader;
		}

		public void setForwardedHeader(String forwardedHeader) {
			this.forwardedHeader = forwardedHeader;
		}

		public List<String> getTrustedProxies() {
			return this.trustedProxies;
		}

		public void setTrustedProxies(List<String> trustedProxies) {
			this.trustedProxies = trustedProxies;
		}

		public String getTierAuthorityPrefix() {
			return this.tierAuthorityPrefix;
		}

		public void setTierAuthorityPrefix(String tierAuthorityPrefix) {
			this.tierAuthorityPrefix = tierAuthorityPrefix;
		}

	}

	// Observability: the Micrometer metrics and the health contributor.

	@NestedConfigurationProperty
	private final MetricsProperties metrics = new MetricsProperties();

	@NestedConfigurationProperty
	private final HealthProperties health = new HealthProperties();

	public MetricsProperties getMetrics() {
		return this.metrics;
	}

	public HealthProperties getHealth() {
		return this.health;
	}

	/**
	 * Operators' temporary overrides of callers' limits (POST
	 * /actuator/ratelimits/{identity}).
	 */
	private final Overrides overrides = new Overrides();

	/**
	 * What the ratelimits actuator endpoint records of the traffic.
	 */
	private final Traffic traffic = new Traffic();

	public Overrides getOverrides() {
		return this.overrides;
	}

	public Traffic getTraffic() {
		return this.traffic;
	}

	/**
	 * Operators' temporary overrides of callers' limits.
	 */
	public static class Overrides {

		/**
		 * How often each instance looks in Redis for overrides set through another
		 * instance. An override applies at once on the instance that set it.
		 */
		private Duration refreshInterval = Duration.ofSeconds(1);

		/**
		 * Longest an override may last.
		 */
		private Duration maxDuration = Duration.ofDays(30);

		public Duration getRefreshInterval() {
			return this.refreshInterval;
		}

		public void setRefreshInterval(Duration refreshInterval) {
			this.refreshInterval = refreshInterval;
		}

		public Duration getMaxDuration() {
			return this.maxDuration;
		}

		public void setMaxDuration(Duration maxDuration) {
			this.maxDuration = maxDuration;
		}

	}

	/**
	 * What the ratelimits actuator endpoint records of the traffic.
	 */
	public static class Traffic {

		/**
		 * How far back the endpoint's top callers reach.
		 */
		private Duration window = Duration.ofMinutes(5);

		/**
		 * Callers counted per fifth of the window and per measure (requests, denials):
		 * the memory bound of the top callers. Counts are exact while fewer distinct
		 * callers are seen, and approximate (with a stated error bound) beyond.
		 */
		private int counters = 100;

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

		public int getCounters() {
			return this.counters;
		}

		public void setCounters(int counters) {
			this.counters = counters;
		}

	}

	@NestedConfigurationProperty
	private final OverLimitCacheProperties overLimitCache = new OverLimitCacheProperties();

	/**
	 * The circuit breaker that moves the checks off Redis while it fails, and back.
	 */
	@NestedConfigurationProperty
	private final CircuitBreakerProperties circuitBreaker = new CircuitBreakerProperties();

	public CircuitBreakerProperties getCircuitBreaker() {
		return this.circuitBreaker;
	}

	public OverLimitCacheProperties getOverLimitCache() {
		return this.overLimitCache;
	}

}
