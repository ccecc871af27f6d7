package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.ratelimit.actuate.RateLimitCheckMeterFilter;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.web.DefaultRateLimitCheckObservationConvention;
import dev.ratelimit.web.RateLimitCheckObservationContext;
import dev.ratelimit.web.RateLimitCheckObservationConvention;
import dev.ratelimit.web.RateLimitFilter;
import dev.ratelimit.web.TierResolver;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The filter observes each limiter call as {@code ratelimit.check}: with a test registry,
 * and with Boot's observation and metrics auto-configuration making the timer of it.
 */
class RateLimitObservationAutoConfigurationTests {

	private static final AutoConfigurations OBSERVATION_AND_METRICS = AutoConfigurations.of(
			ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
			CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class);

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class,
				RateLimitOverridesAutoConfiguration.class, RateLimitMetricsAutoConfiguration.class))
		.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h",
				"rate-limit.tiers.enterprise.unlimited=true");

	@Test
	void observesEachLimiterCallWithTheBackendThatDecided() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create).run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			send(context, "/api/ping");
			TestObservationRegistryAssert.assertThat(registry)
				.hasNumberOfObservationsWithNameEqualTo(DefaultRateLimitCheckObservationConvention.NAME, 1)
				.hasObservationWithNameEqualTo(DefaultRateLimitCheckObservationConvention.NAME)
				.that()
				.hasContextualNameEqualTo("rate limit check")
				.hasLowCardinalityKeyValue("backend", "primary")
				.doesNotHaveError()
				.hasBeenStarted()
				.hasBeenStopped();
		});
	}

	@Test
	void tagsDecisionsOfTheFailureModeAsFallback() {
		RateLimiter fallback = (request) -> Decision
			.of(List.of(new LimitState(request.limits().get(0), true, 9, Duration.ofMinutes(1), Duration.ZERO)))
			.asFallback();
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(RateLimiter.class, () -> fallback)
			.run((context) -> {
				send(context, "/api/ping");
				TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
					.hasObservationWithNameEqualTo(DefaultRateLimitCheckObservationConvention.NAME)
					.that()
					.hasLowCardinalityKeyValue("backend", "fallback");
			});
	}

	@Test
	void recordsTheErrorOfALimiterThatThrows() {
		RateLimiter failing = (request) -> {
			throw new IllegalStateException("broken");
		};
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(RateLimiter.class, () -> failing)
			.run((context) -> {
				assertThatIllegalStateException().isThrownBy(() -> send(context, "/api/ping")).withMessage("broken");
				TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
					.hasObservationWithNameEqualTo(DefaultRateLimitCheckObservationConvention.NAME)
					.that()
					.hasLowCardinalityKeyValue("backend", "none")
					.hasError()
					.hasBeenStopped();
			});
	}

	@Test
	void observesNothingWithoutALimiterCall() {
		TierResolver fromHeader = (request, identity) -> request.getHeader("X-Test-Tier");
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(TierResolver.class, () -> fromHeader)
			.run((context) -> {
				MockHttpServletRequest unlimited = new MockHttpServletRequest("GET", "/api/ping");
				unlimited.addHeader("X-Test-Tier", "enterprise");
				filter(context).doFilter(unlimited, new MockHttpServletResponse(), new MockFilterChain());
				send(context, "/actuator/health");
				TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
					.doesNotHaveAnyObservation();
			});
	}

	@Test
	void usesTheApplicationsConvention() {
		RateLimitCheckObservationConvention custom = new DefaultRateLimitCheckObservationConvention() {

			@Override
			public KeyValues getLowCardinalityKeyValues(RateLimitCheckObservationContext context) {
				return super.getLowCardinalityKeyValues(context).and("operation",
						context.getResolved().operation().name());
			}

		};
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(RateLimitCheckObservationConvention.class, () -> custom)
			.run((context) -> {
				send(context, "/api/ping");
				TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
					.hasObservationWithNameEqualTo(DefaultRateLimitCheckObservationConvention.NAME)
					.that()
					.hasLowCardinalityKeyValue("backend", "primary")
					.hasLowCardinalityKeyValue("operation", "api_requests");
			});
	}

	@Test
	void bootsMeterObservationHandlerMakesTheTimer() {
		this.runner.withConfiguration(OBSERVATION_AND_METRICS).run((context) -> {
			assertThat(context).hasSingleBean(RateLimitCheckMeterFilter.class);
			send(context, "/api/ping");
			send(context, "/api/ping");
			Timer timer = context.getBean(MeterRegistry.class)
				.get(DefaultRateLimitCheckObservationConvention.NAME)
				.tag("backend", "primary")
				.timer();
			assertThat(timer.count()).isEqualTo(2);
			// The handler adds its error tag; nothing of the request gets into the tags.
			assertThat(timer.getId().getTags()).extracting(Tag::getKey).containsExactlyInAnyOrder("backend", "error");
		});
	}

	@Test
	void theTimerHasAPercentileHistogramFrom100Microseconds() {
		this.runner.withConfiguration(OBSERVATION_AND_METRICS)
			.withConfiguration(AutoConfigurations.of(PrometheusMetricsExportAutoConfiguration.class))
			.run((context) -> {
				send(context, "/api/ping");
				assertThat(context.getBean(PrometheusMeterRegistry.class).scrape())
					.contains("ratelimit_check_seconds_bucket{backend=\"primary\",error=\"none\",le=\"1.0E-4\"}")
					.contains("ratelimit_check_seconds_bucket{backend=\"primary\",error=\"none\",le=\"1.0\"}")
					.doesNotContain("le=\"2.0\"");
			});
	}

	@Test
	void theApplicationsDistributionSettingsWin() {
		this.runner.withConfiguration(OBSERVATION_AND_METRICS)
			.withConfiguration(AutoConfigurations.of(PrometheusMetricsExportAutoConfiguration.class))
			.withPropertyValues("management.metrics.distribution.minimum-expected-value.ratelimit.check=1ms")
			.run((context) -> {
				send(context, "/api/ping");
				assertThat(context.getBean(PrometheusMeterRegistry.class).scrape()).doesNotContain("le=\"1.0E-4\"")
					.contains("ratelimit_check_seconds_bucket{backend=\"primary\",error=\"none\",le=\"0.001\"}");
			});
	}

	private static void send(AssertableWebApplicationContext context, String path) throws Exception {
		filter(context).doFilter(new MockHttpServletRequest("GET", path), new MockHttpServletResponse(),
				new MockFilterChain());
	}

	@SuppressWarnings("unchecked")
	private static RateLimitFilter filter(AssertableWebApplicationContext context) {
		return ((FilterRegistrationBean<RateLimitFilter>) context.getBean("rateLimitFilterRegistration",
				FilterRegistrationBean.class))
			.getFilter();
	}

}
