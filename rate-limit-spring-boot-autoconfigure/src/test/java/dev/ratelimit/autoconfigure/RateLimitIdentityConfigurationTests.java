package dev.ratelimit.autoconfigure;

import dev.ratelimit.web.ClientAddressResolver;
import dev.ratelimit.web.Identity;
import dev.ratelimit.web.IdentityResolver;
import dev.ratelimit.web.MalformedRequestException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How the auto-configuration identifies callers: the {@code rate-limit.identity.*}
 * properties.
 */
class RateLimitIdentityConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(RateLimitAutoConfiguration.class, RateLimitOverridesAutoConfiguration.class))
		.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h");

	@Test
	void apiKeyHeaderIsOptIn() {
		this.runner.run((context) -> {
			MockHttpServletRequest request = request();
			request.addHeader("X-API-Key", "k-1");
			assertThat(context.getBean(IdentityResolver.class).resolve(request))
				.isEqualTo(Identity.address("203.0.113.9"));
		});
	}

	@Test
	void configuredApiKeyHeaderIdentifiesCallersUpToTheMaximumLength() {
		this.runner
			.withPropertyValues("rate-limit.identity.api-key-header=X-Client-Key",
					"rate-limit.identity.api-key-max-length=8")
			.run((context) -> {
				IdentityResolver resolver = context.getBean(IdentityResolver.class);
				MockHttpServletRequest request = request();
				request.addHeader("X-Client-Key", "12345678");
				assertThat(resolver.resolve(request)).isEqualTo(Identity.apiKey("12345678"));
				MockHttpServletRequest tooLong = request();
				tooLong.addHeader("X-Client-Key", "123456789");
				assertThatExceptionOfType(MalformedRequestException.class).isThrownBy(() -> resolver.resolve(tooLong))
					.withMessage("The X-Client-Key header is longer than 8 characters.");
			});
	}

	@Test
	void forwardedHeaderOfTrustedProxiesIsConfigurable() {
		this.runner
			.withPropertyValues("rate-limit.identity.trusted-proxies=203.0.113.9",
					"rate-limit.identity.forwarded-header=Forwarded")
			.run((context) -> {
				MockHttpServletRequest request = request();
				request.addHeader("X-Forwarded-For", "192.0.2.1");
				request.addHeader("Forwarded", "for=198.51.100.7");
				assertThat(context.getBean(ClientAddressResolver.class).resolve(request)).isEqualTo("198.51.100.7");
			});
	}

	@Test
	void forwardedForIsTheDefaultForwardedHeader() {
		this.runner.withPropertyValues("rate-limit.identity.trusted-proxies=203.0.113.9").run((context) -> {
			MockHttpServletRequest request = request();
			request.addHeader("X-Forwarded-For", "192.0.2.1");
			request.addHeader("Forwarded", "for=198.51.100.7");
			assertThat(context.getBean(ClientAddressResolver.class).resolve(request)).isEqualTo("192.0.2.1");
		});
	}

	@Test
	void nonPositiveApiKeyMaxLengthFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.identity.api-key-max-length=0").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("rate-limit.identity.api-key-max-length");
		});
	}

	@Test
	void blankForwardedHeaderFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.identity.forwarded-header= ").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("rate-limit.identity.forwarded-header");
		});
	}

	private static MockHttpServletRequest request() {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/ping");
		request.setRemoteAddr("203.0.113.9");
		return request;
	}

}
