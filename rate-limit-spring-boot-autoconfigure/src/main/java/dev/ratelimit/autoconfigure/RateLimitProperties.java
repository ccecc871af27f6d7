package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.LimitNotation;
import dev.ratelimit.resilience.FailureMode;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

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
	 * What to do while Redis cannot answer: 'local' enforces the same rules in memory on each
	 * instance, 'allow' lets every request through, 'deny' refuses limited requests with 503.
	 */
	private FailureMode failureMode = FailureMode.LOCAL;

	private final Redis redis = new Redis();

	private final Fallback fallback = new Fallback();

	private final Identity identity = new Identity();

	private final Headers headers = new Headers();

	private final Filter filter = new Filter();

	private final Problem problem = new Problem();

	/**
	 * Tiers (plans) by name, e.g. free, pro, business, enterprise.
	 */
	private Map<String, Tier> tiers = new LinkedHashMap<>();

	/**
	 * Operations by name: how requests are matched to them, how they are keyed and what they
	 * cost.
	 */
	private Map<String, Operation> operations = new LinkedHashMap<>();

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

	public Fallback getFallback() {
		return this.fallback;
	}

	public Identity getIdentity() {
		return this.identity;
	}

	public Headers getHeaders() {
		return this.headers;
	}

	public Filter getFilter() {
		return this.filter;
	}

	public Problem getProblem() {
		return this.problem;
	}

	public Map<String, Tier> getTiers() {
		return this.tiers;
	}

	public void setTiers(Map<String, Tier> tiers) {
		this.tiers = tiers;
	}

	public Map<String, Operation> getOperations() {
		return this.operations;
	}

	public void setOperations(Map<String, Operation> operations) {
		this.operations = operations;
	}

	/**
	 * How the limiter talks to Redis.
	 */
	public static class Redis {

		/**
		 * Longest Redis may answer nothing at all, to any check, before a waiting check gives up
		 * on it (after a grace of half this, at most 100ms) and the failure mode decides. A check
		 * is waited for while Redis keeps answering others, so a busy machine is not mistaken
		 * for an outage; a broken connection falls back at once.
		 */
		private Duration timeout = Duration.ofMillis(750);

		/**
		 * Most limiter calls that wait for Redis at once on a blocking client (Jedis); a request
		 * beyond them (and a queue of the same size) is decided by the failure mode. Checks on
		 * Lettuce are asynchronous and do not use these threads.
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
	 * The in-memory limiter of the 'local' failure mode.
	 */
	public static class Fallback {

		/**
		 * Number of application instances that share the limits: each enforces its share of
		 * every limit while on the fallback (the limit divided by the number of instances,
		 * rounded down, at least 1). Unset (the default) to count the instances automatically
		 * from the heartbeats they keep in Redis while it answers; the last count is kept
		 * through an outage.
		 */
		private @Nullable Integer instances;

		/**
		 * How often each instance records its heartbeat in Redis when the instances are counted
		 * automatically. An instance is no longer counted after three intervals without one.
		 * Use the same interval on every instance.
		 */
		private Duration heartbeatInterval = Duration.ofSeconds(5);

		/**
		 * Most counters the in-memory limiter holds.
		 */
		private int maxKeys = 100_000;

		public @Nullable Integer getInstances() {
			return this.instances;
		}

		public void setInstances(@Nullable Integer instances) {
			this.instances = instances;
		}

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public int getMaxKeys() {
			return this.maxKeys;
		}

		public void setMaxKeys(int maxKeys) {
			this.maxKeys = maxKeys;
		}

	}

	/**
	 * How callers are identified.
	 */
	public static class Identity {

		/**
		 * Request header that carries an API key, e.g. X-API-Key. When set, the key identifies the
		 * caller (hashed) when no authenticated principal does. Empty (the default) to never
		 * identify callers by API key. Set it only when unknown keys are rejected before the rate
		 * limit filter: a key that nothing validates is chosen by the client, and every new key
		 * would be a fresh budget.
		 */
		private String apiKeyHeader = "";

		/**
		 * Longest API key accepted, in characters. A longer key, or one with anything but visible
		 * ASCII characters, is answered with 400.
		 */
		private int apiKeyMaxLength = 256;

		/**
		 * Addresses or CIDR ranges of proxies whose forwarded header (see forwarded-header) is
		 * trusted. Requests from any other peer are identified by the peer address.
		 */
		private List<String> trustedProxies = new ArrayList<>();

		/**
		 * Header in which the trusted proxies pass on the client address: X-Forwarded-For (a
		 * comma-separated list), or Forwarded (RFC 7239, its "for" parameters). Only this header
		 * is read, so a header the proxies pass through from the client is never believed.
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

	/**
	 * Which rate limit headers responses carry.
	 */
	public static class Headers {

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

	/**
	 * The servlet filter that enforces the limits.
	 */
	public static class Filter {

		/**
		 * Order of the filter. The default runs it just after Spring Security's filter chain, so the
		 * authenticated principal is known.
		 */
		private int order = -90;

		public int getOrder() {
			return this.order;
		}

		public void setOrder(int order) {
			this.order = order;
		}

	}

	/**
	 * The RFC 9457 problem body of a denied request.
	 */
	public static class Problem {

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

	// Observability: the Micrometer metrics and the health contributor.

	private final Metrics metrics = new Metrics();

	private final Health health = new Health();

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Health getHealth() {
		return this.health;
	}

	/**
	 * The Micrometer metrics of the limiter.
	 */
	public static class Metrics {

		/**
		 * Share of a limit below which an allowed request counts as near that limit
		 * (ratelimit.near.limit), between 0 and 1. 0.2 counts requests that leave less than 20%
		 * of any of their limits (of the burst, for a token bucket).
		 */
		private double nearLimitThreshold = 0.2;

		public double getNearLimitThreshold() {
			return this.nearLimitThreshold;
		}

		public void setNearLimitThreshold(double nearLimitThreshold) {
			this.nearLimitThreshold = nearLimitThreshold;
		}

	}

	/**
	 * The 'ratelimit' health contributor.
	 */
	public static class Health {

		/**
		 * Status reported while the limiter decides by its failure mode (Redis unreachable or
		 * the circuit breaker open). The default, DEGRADED, is not in Boot's status order, so it
		 * leaves the aggregate status and its HTTP code alone: a limiter outage does not take
		 * instances out of the load balancer. Set OUT_OF_SERVICE or DOWN to make it do so.
		 */
		private String fallbackStatus = "DEGRADED";

		/**
		 * Longest the health check waits for Redis to answer PING.
		 */
		private Duration timeout = Duration.ofSeconds(1);

		public String getFallbackStatus() {
			return this.fallbackStatus;
		}

		public void setFallbackStatus(String fallbackStatus) {
			this.fallbackStatus = fallbackStatus;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Operators' temporary overrides of callers' limits (POST /actuator/ratelimits/{identity}).
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
		 * How often each instance looks in Redis for overrides set through another instance. An
		 * override applies at once on the instance that set it.
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
		 * Callers counted per fifth of the window and per measure (requests, denials): the memory
		 * bound of the top callers. Counts are exact while fewer distinct callers are seen, and
		 * approximate (with a stated error bound) beyond.
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

	/**
	 * A tier (plan).
	 */
	public static class Tier {

		/**
		 * Whether callers on this tier are never limited (and cost no backend call).
		 */
		private boolean unlimited;

		/**
		 * Where callers on this tier can upgrade; included in the 429 problem body.
		 */
		private @Nullable String upgradeUrl;

		/**
		 * Limits by operation name: "5/1h, 20/1d" (every window is enforced), optionally with an
		 * algorithm ("100/1m sliding-log"), or a list of {limit, window, algorithm, burst}.
		 */
		private Map<String, List<Limit>> limits = new LinkedHashMap<>();

		public boolean isUnlimited() {
			return this.unlimited;
		}

		public void setUnlimited(boolean unlimited) {
			this.unlimited = unlimited;
		}

		public @Nullable String getUpgradeUrl() {
			return this.upgradeUrl;
		}

		public void setUpgradeUrl(@Nullable String upgradeUrl) {
			this.upgradeUrl = upgradeUrl;
		}

		public Map<String, List<Limit>> getLimits() {
			return this.limits;
		}

		public void setLimits(Map<String, List<Limit>> limits) {
			this.limits = limits;
		}

	}

	/**
	 * An operation: a named group of requests that share limits.
	 */
	public static class Operation {

		/**
		 * Requests of this operation, as "METHOD /path/pattern" or "/path/pattern" (any method).
		 * Patterns use Spring's PathPattern syntax.
		 */
		private List<String> match = new ArrayList<>();

		/**
		 * Whose budget a request of this operation is charged to.
		 */
		private KeyType key = KeyType.IDENTITY;

		/**
		 * Limits for every tier that does not list its own for this operation.
		 */
		private List<Limit> limits = new ArrayList<>();

		/**
		 * Units of quota one request of this operation consumes.
		 */
		private long cost = 1;

		public List<String> getMatch() {
			return this.match;
		}

		public void setMatch(List<String> match) {
			this.match = match;
		}

		public KeyType getKey() {
			return this.key;
		}

		public void setKey(KeyType key) {
			this.key = key;
		}

		public List<Limit> getLimits() {
			return this.limits;
		}

		public void setLimits(List<Limit> limits) {
			this.limits = limits;
		}

		public long getCost() {
			return this.cost;
		}

		public void setCost(long cost) {
			this.cost = cost;
		}

	}

	/**
	 * One limit. Binds from the short form "5/1h" or "5/1h sliding-log" as well as from its
	 * properties.
	 */
	public static class Limit {

		/**
		 * Units allowed per window.
		 */
		private long limit;

		/**
		 * The window, e.g. 30s, 1m, 1h, 1d.
		 */
		private @Nullable Duration window;

		/**
		 * How requests are counted.
		 */
		private Algorithm algorithm = Algorithm.TOKEN_BUCKET;

		/**
		 * For token-bucket, how many units may be spent at once. Defaults to the limit.
		 */
		private @Nullable Long burst;

		public Limit() {
		}

		public Limit(long limit, Duration window, Algorithm algorithm) {
			this.limit = limit;
			this.window = window;
			this.algorithm = algorithm;
		}

		/**
		 * Parse the short form, e.g. {@code 5/1h} or {@code 100/1m sliding-log}.
		 * @param text the short form
		 * @return the limit
		 */
		public static Limit valueOf(String text) {
			return LimitNotation.parse(text);
		}

		public long getLimit() {
			return this.limit;
		}

		public void setLimit(long limit) {
			this.limit = limit;
		}

		public @Nullable Duration getWindow() {
			return this.window;
		}

		public void setWindow(@Nullable Duration window) {
			this.window = window;
		}

		public Algorithm getAlgorithm() {
			return this.algorithm;
		}

		public void setAlgorithm(Algorithm algorithm) {
			this.algorithm = algorithm;
		}

		public @Nullable Long getBurst() {
			return this.burst;
		}

		public void setBurst(@Nullable Long burst) {
			this.burst = burst;
		}

	}

	private final OverLimitCache overLimitCache = new OverLimitCache();

	public OverLimitCache getOverLimitCache() {
		return this.overLimitCache;
	}

	/**
	 * Remembers denials so that a caller over its limit is refused without a Redis call until its
	 * Retry-After has passed.
	 */
	public static class OverLimitCache {

		/**
		 * Whether to deny callers from memory while an earlier denial's Retry-After runs. Only
		 * applies when the limits are kept in Redis.
		 */
		private boolean enabled = true;

		/**
		 * Most denials remembered at once; beyond that some are forgotten, which only costs Redis
		 * calls.
		 */
		private int maxEntries = 10_000;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxEntries() {
			return this.maxEntries;
		}

		public void setMaxEntries(int maxEntries) {
			this.maxEntries = maxEntries;
		}

	}

}
