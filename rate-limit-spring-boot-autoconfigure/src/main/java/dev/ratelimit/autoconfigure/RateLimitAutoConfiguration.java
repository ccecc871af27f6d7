package dev.ratelimit.autoconfigure;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.ratelimit.core.FleetSize;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.policy.ConfiguredNames;
import dev.ratelimit.policy.InMemoryOverrideStore;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitConfigurationException;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.RateLimitPolicyFactory;
import dev.ratelimit.redis.RedisFleet;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.BackendCallExecutor;
import dev.ratelimit.resilience.FailureMode;
import dev.ratelimit.resilience.OverLimitCachingRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.web.AddressRange;
import dev.ratelimit.web.AnnotatedOperations;
import dev.ratelimit.web.AuthorityTierResolver;
import dev.ratelimit.web.ClientAddressResolver;
import dev.ratelimit.web.DefaultIdentityResolver;
import dev.ratelimit.web.IdentityResolver;
import dev.ratelimit.web.ProblemDetailRateLimitProblemWriter;
import dev.ratelimit.web.RateLimitCheckObservationConvention;
import dev.ratelimit.web.RateLimitFilter;
import dev.ratelimit.web.RateLimitHeaderWriter;
import dev.ratelimit.web.RateLimitListener;
import dev.ratelimit.web.RateLimitProblemWriter;
import dev.ratelimit.web.RequestPolicyResolver;
import dev.ratelimit.web.TierResolver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.StringUtils;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Auto-configuration for rate limiting: the validated policy, the limiter (Redis when a
 * {@link RedisConnectionFactory} exists, else in memory) and, in a servlet web application, the
 * filter that enforces it.
 *
 * @author rate-limit-spring-boot
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnBooleanProperty(name = "rate-limit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RateLimitProperties.class)
public final class RateLimitAutoConfiguration {

	private static final Log logger = LogFactory.getLog(RateLimitAutoConfiguration.class);

	/**
	 * Longest the startup waits for the Redis limiter to connect and load its script. Redis
	 * down at startup is not an error: checks fall back until it answers.
	 */
	private static final Duration WARM_UP_WAIT = Duration.ofSeconds(2);

	@Bean
	@ConditionalOnMissingBean
	RateLimitPolicy rateLimitPolicy(RateLimitProperties properties, Environment environment) {
		return new RateLimitPolicyFactory(ConfiguredNames.from(environment)).create(properties);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ StringRedisTemplate.class, DataRedisAutoConfiguration.class })
	@ConditionalOnBean(RedisConnectionFactory.class)
	static class RedisRateLimiterConfiguration {

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(CircuitBreaker.class)
		static class ResilientRedisRateLimiterConfiguration {

			@Bean
			@ConditionalOnMissingBean
			RateLimiter rateLimiter(RedisConnectionFactory connectionFactory, RateLimitProperties properties,
					Environment environment, ObjectProvider<CircuitBreakerRegistry> circuitBreakerRegistry,
					ObjectProvider<FleetSize> fleetSize) {
				RateLimitProperties.Redis redis = properties.getRedis();
				requirePositive("rate-limit.redis.timeout", redis.getTimeout().toNanos());
				requirePositive("rate-limit.redis.max-concurrent-calls", redis.getMaxConcurrentCalls());
				FleetSize fleet = fleetSize(properties, fleetSize);
				RedisRateLimiter primary = new RedisRateLimiter(connectionFactory, properties.getKeyPrefix());
				CircuitBreaker circuitBreaker = new RateLimitCircuitBreakerFactory(Binder.get(environment),
						circuitBreakerRegistry.getIfUnique())
					.create();
				InMemoryRateLimiter local = (properties.getFailureMode() == FailureMode.LOCAL)
						? localRateLimiter(properties) : null;
				ExecutorService executor = BackendCallExecutor.create(redis.getMaxConcurrentCalls());
				// Connect and load the script before the first request: a burst on a cold instance
				// would otherwise wait for the connection together, and a Redis that takes long to
				// connect would look like a stalled one.
				awaitWarmUp(executor.submit(() -> warmUp(primary)));
				return withOverLimitCache(properties, new ResilientRateLimiter(primary, properties.getFailureMode(),
						local, fleet, circuitBreaker, executor, redis.getTimeout()));
			}

			/**
			 * The instances' heartbeats in Redis, by which the local fallback knows how many
			 * instances share each limit. Only where that is needed: in the local failure mode,
			 * unless the number of instances is configured or the application counts its
			 * instances itself (a {@link FleetSize} bean).
			 */
			@Bean
			@ConditionalOnMissingBean(FleetSize.class)
			@ConditionalOnProperty(name = "rate-limit.failure-mode", havingValue = "local", matchIfMissing = true)
			@Conditional(OnAutomaticFleetSizeCondition.class)
			RedisFleet rateLimitFleet(RedisConnectionFactory connectionFactory, RateLimitProperties properties) {
				Duration interval = properties.getFallback().getHeartbeatInterval();
				requirePositive("rate-limit.fallback.heartbeat-interval", interval.toMillis());
				return new RedisFleet(new StringRedisTemplate(connectionFactory), properties.getKeyPrefix(), interval);
			}

			/**
			 * The configured number of instances, else the fleet as it counts itself; one when
			 * nothing counts it (outside the local failure mode, where it is not used).
			 */
			private static FleetSize fleetSize(RateLimitProperties properties, ObjectProvider<FleetSize> fleet) {
				Integer instances = properties.getFallback().getInstances();
				if (instances != null) {
					requirePositive("rate-limit.fallback.instances", instances);
					return FleetSize.fixed(instances);
				}
				return fleet.getIfUnique(() -> FleetSize.fixed(1));
			}

			private static void awaitWarmUp(Future<?> warmUp) {
				try {
					warmUp.get(WARM_UP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
				}
				catch (TimeoutException | ExecutionException ex) {
					logger.debug("Redis did not answer the rate limiter's warm-up within " + WARM_UP_WAIT, ex);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}

			private static void warmUp(RedisRateLimiter limiter) {
				try {
					limiter.warmUp();
				}
				catch (RuntimeException ex) {
					logger.debug("Could not warm up the Redis rate limiter at startup", ex);
				}
			}

		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnMissingClass("io.github.resilience4j.circuitbreaker.CircuitBreaker")
		static class PlainRedisRateLimiterConfiguration {

			@Bean
			@ConditionalOnMissingBean
			RateLimiter rateLimiter(RedisConnectionFactory connectionFactory, RateLimitProperties properties) {
				logger.warn("Resilience4j is not on the class path: requests fail while Redis is unavailable");
				return withOverLimitCache(properties,
						new RedisRateLimiter(new StringRedisTemplate(connectionFactory), properties.getKeyPrefix()));
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(type = "org.springframework.data.redis.connection.RedisConnectionFactory")
	static class InMemoryRateLimiterConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RateLimiter rateLimiter(RateLimitProperties properties) {
			logger.warn("No Redis connection is configured: rate limits are enforced in memory, per instance");
			return localRateLimiter(properties);
		}

	}

	static InMemoryRateLimiter localRateLimiter(RateLimitProperties properties) {
		int maxKeys = properties.getFallback().getMaxKeys();
		requirePositive("rate-limit.fallback.max-keys", maxKeys);
		return new InMemoryRateLimiter(Clock.systemUTC(), maxKeys);
	}

	/**
	 * The Redis limiter, wrapped in the over-limit cache unless that is disabled. Not the in-memory
	 * limiter: its checks cost no more than a cache lookup.
	 */
	static RateLimiter withOverLimitCache(RateLimitProperties properties, RateLimiter redisLimiter) {
		RateLimitProperties.OverLimitCache cache = properties.getOverLimitCache();
		if (!cache.isEnabled()) {
			return redisLimiter;
		}
		requirePositive("rate-limit.over-limit-cache.max-entries", cache.getMaxEntries());
		return new OverLimitCachingRateLimiter(redisLimiter, cache.getMaxEntries());
	}

	static void requirePositive(String property, long value) {
		if (value <= 0) {
			throw new RateLimitConfigurationException(property, "must be positive, was " + value,
					"Set a value greater than zero.");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass({ DispatcherServlet.class, JsonMapper.class })
	static class ServletConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ClientAddressResolver rateLimitClientAddressResolver(RateLimitProperties properties) {
			List<String> proxies = properties.getIdentity().getTrustedProxies();
			List<AddressRange> ranges = new ArrayList<>();
			for (int i = 0; i < proxies.size(); i++) {
				try {
					ranges.add(AddressRange.parse(proxies.get(i)));
				}
				catch (IllegalArgumentException ex) {
					throw new RateLimitConfigurationException("rate-limit.identity.trusted-proxies[" + i + "]",
							ex.getMessage(), "Give an IP address (10.0.0.7) or a CIDR range (10.0.0.0/8, fd00::/8).");
				}
			}
			String forwardedHeader = properties.getIdentity().getForwardedHeader();
			if (!StringUtils.hasText(forwardedHeader)) {
				throw new RateLimitConfigurationException("rate-limit.identity.forwarded-header", "must name a header",
						"Name the header your trusted proxies write: X-Forwarded-For or Forwarded.");
			}
			return new ClientAddressResolver(ranges, forwardedHeader);
		}

		@Bean
		@ConditionalOnMissingBean
		IdentityResolver rateLimitIdentityResolver(RateLimitProperties properties,
				ClientAddressResolver clientAddressResolver) {
			RateLimitProperties.Identity identity = properties.getIdentity();
			requirePositive("rate-limit.identity.api-key-max-length", identity.getApiKeyMaxLength());
			return new DefaultIdentityResolver(identity.getApiKeyHeader(), identity.getApiKeyMaxLength(),
					clientAddressResolver);
		}

		@Bean
		@ConditionalOnMissingBean
		AnnotatedOperations rateLimitAnnotatedOperations(RateLimitPolicy policy,
				ObjectProvider<RequestMappingHandlerMapping> handlerMappings) {
			return new AnnotatedOperations(policy, handlerMappings);
		}

		@Bean
		@ConditionalOnMissingBean
		RequestPolicyResolver rateLimitRequestPolicyResolver(RateLimitPolicy policy,
				AnnotatedOperations annotatedOperations, IdentityResolver identityResolver, TierResolver tierResolver,
				ClientAddressResolver clientAddressResolver, ObjectProvider<OverrideStore> overrides) {
			OverrideStore overrideStore = overrides.getIfAvailable(() -> new InMemoryOverrideStore(Clock.systemUTC()));
			return new RequestPolicyResolver(policy, annotatedOperations, identityResolver, tierResolver,
					clientAddressResolver, overrideStore);
		}

		@Bean
		@ConditionalOnMissingBean
		RateLimitHeaderWriter rateLimitHeaderWriter(RateLimitProperties properties) {
			return new RateLimitHeaderWriter(properties.getHeaders().isLegacy(), properties.getHeaders().isIetf());
		}

		@Bean
		@ConditionalOnMissingBean
		RateLimitProblemWriter rateLimitProblemWriter(RateLimitProperties properties,
				ObjectProvider<JsonMapper> jsonMapper) {
			URI type;
			try {
				type = URI.create(properties.getProblem().getType());
			}
			catch (IllegalArgumentException ex) {
				throw new RateLimitConfigurationException("rate-limit.problem.type", ex.getMessage(),
						"Give a URI, e.g. about:blank or https://example.com/problems/rate-limited.");
			}
			return new ProblemDetailRateLimitProblemWriter(type, jsonMapper.getIfAvailable(JsonMapper::shared));
		}

		@Bean
		@ConditionalOnMissingBean(name = "rateLimitFilterRegistration")
		FilterRegistrationBean<RateLimitFilter> rateLimitFilterRegistration(RequestPolicyResolver resolver,
				RateLimiter rateLimiter, RateLimitHeaderWriter headerWriter, RateLimitProblemWriter problemWriter,
				ObjectProvider<RateLimitListener> listeners, RateLimitProperties properties,
				ObjectProvider<ObservationRegistry> observationRegistry,
				ObjectProvider<RateLimitCheckObservationConvention> observationConvention) {
			RateLimitFilter filter = new RateLimitFilter(resolver, rateLimiter, headerWriter, problemWriter,
					listeners.orderedStream().toList(), observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP),
					observationConvention.getIfAvailable());
			FilterRegistrationBean<RateLimitFilter> registration = new FilterRegistrationBean<>(filter);
			registration.setName("rateLimitFilter");
			registration.setOrder(properties.getFilter().getOrder());
			return registration;
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(SecurityContextHolder.class)
		static class SecurityTierResolverConfiguration {

			@Bean
			@ConditionalOnMissingBean
			TierResolver rateLimitTierResolver(RateLimitProperties properties) {
				return new AuthorityTierResolver(properties.getIdentity().getTierAuthorityPrefix());
			}

		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnMissingClass("org.springframework.security.core.context.SecurityContextHolder")
		static class DefaultTierResolverConfiguration {

			@Bean
			@ConditionalOnMissingBean
			TierResolver rateLimitTierResolver() {
				return (request, identity) -> null;
			}

		}

	}

}
