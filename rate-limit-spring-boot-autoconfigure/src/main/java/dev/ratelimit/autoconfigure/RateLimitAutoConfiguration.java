package dev.ratelimit.autoconfigure;

import java.net.URI;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

import dev.ratelimit.admin.RateLimitUsage;
import dev.ratelimit.core.BudgetCalendar;
import dev.ratelimit.core.FleetSize;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.policy.NamedUsers;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.dynamic.DynamicLimits;
import dev.ratelimit.redis.RedisFleet;
import dev.ratelimit.redis.RedisLeaseRenewal;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.BackendCallExecutor;
import dev.ratelimit.resilience.FailureMode;
import dev.ratelimit.resilience.OverLimitCachingRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.web.AccessLists;
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
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Fallback;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.StringUtils;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Auto-configuration for rate limiting: the validated policy, the limiter (Redis when a
 * single {@link RedisConnectionFactory} candidate exists, else in memory) and, in a
 * servlet web application, the filter that enforces it.
 * <p>
 * The limiter's layers are beans of their own types, so that health, the endpoint and the
 * metrics inject the layer they describe: {@link RedisRateLimiter}, the
 * {@code rateLimitCircuitBreaker}, {@link ResilientRateLimiter} and
 * {@link OverLimitCachingRateLimiter}, the outermost of which is the {@link RateLimiter}
 * the filter calls. A user's own {@link RateLimiter} bean replaces all of them; a bean
 * named {@code rateLimitCircuitBreaker} replaces the breaker alone.
 *
 * @author rate-limit-spring-boot
 */
@AutoConfiguration(after = RateLimitOverridesAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnBooleanProperty(name = "rate-limit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RateLimitProperties.class)
public final class RateLimitAutoConfiguration {

	private static final Log logger = LogFactory.getLog(RateLimitAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	RateLimitPolicy rateLimitPolicy(RateLimitProperties properties, Environment environment) {
		return new RateLimitPolicyMapper(ConfiguredNames.from(environment), InvalidRateLimitProperty.in(environment))
			.toPolicy(properties);
	}

	/**
	 * The limiter's layers in Redis, each a bean of its own type: the
	 * {@link RedisRateLimiter}, with Resilience4j the {@code rateLimitCircuitBreaker} and
	 * the {@link ResilientRateLimiter} around it, and outermost the
	 * {@link OverLimitCachingRateLimiter}. The outermost layer is the {@link RateLimiter}
	 * the filter calls: the Redis limiter is only a fallback candidate and the cache is
	 * primary. A user's own {@link RateLimiter} replaces them all.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ StringRedisTemplate.class, DataRedisAutoConfiguration.class })
	@ConditionalOnSingleCandidate(RedisConnectionFactory.class)
	@ConditionalOnMissingBean(RateLimiter.class)
	static class RedisRateLimiterConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@Fallback
		RedisRateLimiter rateLimitRedisRateLimiter(RedisConnectionFactory connectionFactory,
				RateLimitProperties properties, Environment environment, ObjectProvider<Clock> clock) {
			RedisRateLimiter limiter = new RedisRateLimiter(connectionFactory, properties.getKeyPrefix());
			// Budgets' windows follow the application's clock in the configured zone
			// (calendar days need the zone's rules); the rate limits read Redis TIME.
			ZoneId zone = new RateLimitPolicyMapper(ConfiguredNames.from(environment),
					InvalidRateLimitProperty.in(environment))
				.budgetZone(properties);
			limiter.setBudgetCalendar(new BudgetCalendar(zone, RateLimitClock.of(clock)));
			return limiter;
		}

		/**
		 * Renews the leases of this instance's long requests in the background: one
		 * batched call every third of the lease timeout.
		 */
		@Bean
		@ConditionalOnMissingBean
		RedisLeaseRenewal rateLimitLeaseRenewal(RedisRateLimiter redisRateLimiter, RateLimitPolicy policy) {
			return new RedisLeaseRenewal(redisRateLimiter, policy.leaseTimeout());
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(CircuitBreaker.class)
		static class ResilientRedisRateLimiterConfiguration {

			@Bean
			@ConditionalOnMissingBean(name = "rateLimitCircuitBreaker")
			CircuitBreaker rateLimitCircuitBreaker(RateLimitProperties properties, Environment environment,
					ObjectProvider<CircuitBreakerRegistry> circuitBreakerRegistry) {
				return new RateLimitCircuitBreakerFactory(properties.getCircuitBreaker(), Binder.get(environment),
						circuitBreakerRegistry.getIfUnique())
					.create();
			}

			@Bean
			@ConditionalOnMissingBean
			ResilientRateLimiter rateLimitResilientRateLimiter(RedisRateLimiter redisRateLimiter,
					@Qualifier("rateLimitCircuitBreaker") CircuitBreaker circuitBreaker, RateLimitProperties properties,
					ObjectProvider<FleetSize> fleetSize, ObjectProvider<Clock> clock) {
				RateLimitProperties.Redis redis = properties.getRedis();
				requirePositive("rate-limit.redis.timeout", redis.getTimeout().toNanos());
				requirePositive("rate-limit.redis.max-concurrent-calls", redis.getMaxConcurrentCalls());
				InMemoryRateLimiter local = (properties.getFailureMode() == FailureMode.LOCAL)
						? localRateLimiter(properties, RateLimitClock.of(clock)) : null;
				ExecutorService executor = BackendCallExecutor.create(redis.getMaxConcurrentCalls());
				RedisRateLimiterWarmUp.await(executor, redisRateLimiter);
				return new ResilientRateLimiter(redisRateLimiter, properties.getFailureMode(), local,
						fleetSize(properties, fleetSize), circuitBreaker, executor, redis.getTimeout());
			}

			@Bean
			@ConditionalOnMissingBean
			@ConditionalOnBooleanProperty(name = "rate-limit.over-limit-cache.enabled", matchIfMissing = true)
			@Primary
			OverLimitCachingRateLimiter rateLimitOverLimitCache(ResilientRateLimiter resilientRateLimiter,
					RateLimitProperties properties) {
				return overLimitCache(properties, resilientRateLimiter);
			}

			/**
			 * The instances' heartbeats in Redis, by which the local fallback knows how
			 * many instances share each limit. Only where that is needed: in the local
			 * failure mode, unless the number of instances is configured or the
			 * application counts its instances itself (a {@link FleetSize} bean).
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
			 * The configured number of instances, else the fleet as it counts itself; one
			 * when nothing counts it (outside the local failure mode, where it is not
			 * used).
			 */
			private static FleetSize fleetSize(RateLimitProperties properties, ObjectProvider<FleetSize> fleet) {
				Integer instances = properties.getFallback().getInstances();
				if (instances != null) {
					requirePositive("rate-limit.fallback.instances", instances);
					return FleetSize.fixed(instances);
				}
				return fleet.getIfUnique(() -> FleetSize.fixed(1));
			}

		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnMissingClass("io.github.resilience4j.circuitbreaker.CircuitBreaker")
		static class PlainRedisRateLimiterConfiguration {

			PlainRedisRateLimiterConfiguration() {
				logger.warn("Resilience4j is not on the class path: requests fail while Redis is unavailable");
			}

			@Bean
			@ConditionalOnMissingBean
			@ConditionalOnBooleanProperty(name = "rate-limit.over-limit-cache.enabled", matchIfMissing = true)
			@Primary
			OverLimitCachingRateLimiter rateLimitOverLimitCache(RedisRateLimiter redisRateLimiter,
					RateLimitProperties properties) {
				return overLimitCache(properties, redisRateLimiter);
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(type = "org.springframework.data.redis.connection.RedisConnectionFactory")
	static class InMemoryRateLimiterConfiguration {

		@Bean
		@ConditionalOnMissingBean(RateLimiter.class)
		InMemoryRateLimiter rateLimiter(RateLimitProperties properties, ObjectProvider<Clock> clock) {
			logger.warn("No Redis connection is configured: rate limits are enforced in memory, per instance");
			return localRateLimiter(properties, RateLimitClock.of(clock));
		}

	}

	static InMemoryRateLimiter localRateLimiter(RateLimitProperties properties, Clock clock) {
		int maxKeys = properties.getFallback().getMaxKeys();
		requirePositive("rate-limit.fallback.max-keys", maxKeys);
		return new InMemoryRateLimiter(clock, maxKeys);
	}

	/**
	 * The cache of over-limit answers around the Redis limiter. Not around the in-memory
	 * limiter: its checks cost no more than a cache lookup.
	 */
	static OverLimitCachingRateLimiter overLimitCache(RateLimitProperties properties, RateLimiter redisLimiter) {
		OverLimitCacheProperties cache = properties.getOverLimitCache();
		requirePositive("rate-limit.over-limit-cache.max-entries", cache.getMaxEntries());
		return new OverLimitCachingRateLimiter(redisLimiter, cache.getMaxEntries());
	}

	static void requirePositive(String property, long value) {
		if (value <= 0) {
			throw InvalidRateLimitProperty.of(property, value, "must be positive, was " + value,
					"Set a value greater than zero.");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass({ DispatcherServlet.class, JsonMapper.class })
	static class ServletConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ClientAddressResolver rateLimitClientAddressResolver(RateLimitProperties properties, Environment environment) {
			List<AddressRange> ranges = new AccessListsMapper(InvalidRateLimitProperty.in(environment))
				.addressRanges(properties.getIdentity().getTrustedProxies(), "rate-limit.identity.trusted-proxies");
			String forwardedHeader = properties.getIdentity().getForwardedHeader();
			if (!StringUtils.hasText(forwardedHeader)) {
				throw InvalidRateLimitProperty.of("rate-limit.identity.forwarded-header", forwardedHeader,
						"must name a header",
						"Name the header your trusted proxies write: X-Forwarded-For or Forwarded.");
			}
			return new ClientAddressResolver(ranges, forwardedHeader);
		}

		@Bean
		@ConditionalOnMissingBean
		AccessLists rateLimitAccessLists(RateLimitProperties properties, ClientAddressResolver clientAddressResolver,
				Environment environment) {
			return new AccessListsMapper(InvalidRateLimitProperty.in(environment)).toAccessLists(properties,
					clientAddressResolver);
		}

		@Bean
		@ConditionalOnMissingBean
		NamedUsers rateLimitNamedUsers(RateLimitProperties properties, RateLimitPolicy policy,
				Environment environment) {
			return new NamedUsersMapper(ConfiguredNames.from(environment), InvalidRateLimitProperty.in(environment))
				.toNamedUsers(properties, policy);
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
				ClientAddressResolver clientAddressResolver, OverrideStore overrideStore,
				ObjectProvider<DynamicLimits> dynamicLimits, NamedUsers namedUsers) {
			return new RequestPolicyResolver(policy, annotatedOperations, identityResolver, tierResolver,
					clientAddressResolver, overrideStore, dynamicLimits.getIfUnique(), namedUsers);
		}

		@Bean
		@ConditionalOnMissingBean
		RateLimitUsage rateLimitUsage(RateLimitPolicy policy, RateLimiter rateLimiter,
				IdentityResolver identityResolver, TierResolver tierResolver) {
			return new RateLimitUsage(policy, rateLimiter, identityResolver, tierResolver);
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
				throw InvalidRateLimitProperty.of("rate-limit.problem.type", properties.getProblem().getType(),
						ex.getMessage(), "Give a URI, e.g. about:blank or https://example.com/problems/rate-limited.");
			}
			return new ProblemDetailRateLimitProblemWriter(type, jsonMapper.getIfAvailable(JsonMapper::shared));
		}

		@Bean
		@ConditionalOnMissingBean(name = "rateLimitFilterRegistration")
		FilterRegistrationBean<RateLimitFilter> rateLimitFilterRegistration(RequestPolicyResolver resolver,
				RateLimiter rateLimiter, RateLimitHeaderWriter headerWriter, RateLimitProblemWriter problemWriter,
				ObjectProvider<RateLimitListener> listeners, RateLimitProperties properties,
				ObjectProvider<ObservationRegistry> observationRegistry,
				ObjectProvider<RateLimitCheckObservationConvention> observationConvention, AccessLists accessLists) {
			RateLimitFilter filter = new RateLimitFilter(resolver, rateLimiter, headerWriter, problemWriter,
					listeners.orderedStream().toList(), observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP),
					observationConvention.getIfAvailable(), accessLists);
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
