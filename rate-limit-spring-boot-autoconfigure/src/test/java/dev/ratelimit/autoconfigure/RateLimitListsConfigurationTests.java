package dev.ratelimit.autoconfigure;

import java.util.function.Consumer;

import dev.ratelimit.policy.NamedUsers;
import dev.ratelimit.web.AccessLists;
import dev.ratelimit.web.Identity;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the auto-configuration maps and validates {@code rate-limit.allow},
 * {@code rate-limit.deny} and {@code rate-limit.users}: every mistake stops startup
 * naming the property.
 */
class RateLimitListsConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(RateLimitAutoConfiguration.class, RateLimitOverridesAutoConfiguration.class))
		.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h",
				"rate-limit.tiers.business.limits.api_requests=5000/1h", "rate-limit.operations.login.key=ip",
				"rate-limit.operations.login.limits=5/1m");

	@Test
	void listsAreEmptyByDefault() {
		this.runner.run((context) -> {
			assertThat(context.getBean(AccessLists.class).isEmpty()).isTrue();
			assertThat(context.getBean(NamedUsers.class).all()).isEmpty();
		});
	}

	@Test
	void listsMatchAddressesAndNames() {
		this.runner
			.withPropertyValues("rate-limit.allow.addresses=10.0.0.0/8, fd00::/8", "rate-limit.allow.users=partner",
					"rate-limit.deny.addresses=10.6.6.6", "rate-limit.deny.users=mallory")
			.run((context) -> {
				AccessLists lists = context.getBean(AccessLists.class);
				assertThat(lists.match(request("10.1.2.3", null))).isEqualTo(AccessLists.Listing.ALLOWLISTED);
				assertThat(lists.match(request("fd00::1", null))).isEqualTo(AccessLists.Listing.ALLOWLISTED);
				assertThat(lists.match(request("10.6.6.6", null))).isEqualTo(AccessLists.Listing.DENYLISTED);
				assertThat(lists.match(request("192.0.2.1", "partner"))).isEqualTo(AccessLists.Listing.ALLOWLISTED);
				assertThat(lists.match(request("10.1.2.3", "mallory"))).isEqualTo(AccessLists.Listing.DENYLISTED);
				assertThat(lists.match(request("192.0.2.1", "Partner"))).isEqualTo(AccessLists.Listing.NOT_LISTED);
			});
	}

	@Test
	void invalidDenyAddressFailsNamingThePropertyAndWhereItIsSet() {
		this.runner.withInitializer(new ConfigDataApplicationContextInitializer())
			.withPropertyValues("spring.config.location=classpath:dev/ratelimit/autoconfigure/invalid-deny-address.yml")
			.run(failsWith((failure) -> {
				assertThat(failure.getName()).isEqualTo("rate-limit.deny.addresses[1]");
				assertThat(failure.getValue()).isEqualTo("203.0.113.300");
				assertThat(failure.getMessage()).contains("is not an IP address or CIDR range");
			}));
	}

	@Test
	void invalidAllowRangeFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.allow.addresses[0]=10.0.0.0/33")
			.run(failsWith((failure) -> assertThat(failure.getMessage()).contains("rate-limit.allow.addresses[0]")
				.contains("invalid prefix length")));
	}

	@Test
	void blankListedUserFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.deny.users[0]=mallory", "rate-limit.deny.users[1]= ")
			.run(failsWith((failure) -> assertThat(failure.getMessage()).contains("rate-limit.deny.users[1]")
				.contains("the principal name is blank")));
	}

	@Test
	void namedUsersAreKeyedByTheirHashedScope() {
		this.runner
			.withPropertyValues("rate-limit.users[0].name=premium_user_123", "rate-limit.users[0].tier=business",
					"rate-limit.users[0].limits.api_requests=100/1h")
			.run((context) -> {
				NamedUsers users = context.getBean(NamedUsers.class);
				assertThat(users.all()).containsOnlyKeys(Identity.user("premium_user_123").scope());
				assertThat(users.find(Identity.user("premium_user_123").scope()).tier()).isEqualTo("business");
			});
	}

	@Test
	void unknownTierOfANamedUserFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.users[0].name=alice", "rate-limit.users[0].tier=gold")
			.run(failsWith((failure) -> assertThat(failure.getMessage()).contains("rate-limit.users[0].tier")
				.contains("tier 'gold' is not configured (configured: business, free)")));
	}

	@Test
	void unknownOperationOfANamedUserFailsNamingTheProperty() {
		this.runner
			.withPropertyValues("rate-limit.users[0].name=alice", "rate-limit.users[0].limits.ai_generation=100/1h")
			.run(failsWith(
					(failure) -> assertThat(failure.getMessage()).contains("rate-limit.users[0].limits.ai_generation")
						.contains("operation 'ai_generation' is not configured")));
	}

	@Test
	void namedUsersLimitOfAnOperationKeyedByAddressFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.users[0].name=alice", "rate-limit.users[0].limits.login=50/1m")
			.run(failsWith((failure) -> assertThat(failure.getMessage()).contains("rate-limit.users[0].limits.login")
				.contains("keyed by ip")));
	}

	@Test
	void invalidLimitOfANamedUserFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.users[0].name=alice", "rate-limit.users[0].limits.api_requests=0/1h")
			.run(failsWith((failure) -> assertThat(failure.getMessage())
				.contains("rate-limit.users[0].limits.api_requests[0].limit")
				.contains("the limit must be at least 1")));
	}

	@Test
	void badNotationOfANamedUsersLimitFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.users[0].name=alice", "rate-limit.users[0].limits.api_requests=5/1x")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("Invalid limit '5/1x': the window '1x' is not a duration");
				Throwable cause = context.getStartupFailure();
				while (cause != null && !(cause instanceof BindException)) {
					cause = cause.getCause();
				}
				assertThat(cause).isNotNull();
				assertThat(cause.getMessage()).contains("'rate-limit.users[0].limits");
			});
	}

	@Test
	void namedUserWithoutNameFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.users[0].tier=business")
			.run(failsWith((failure) -> assertThat(failure.getMessage()).contains("rate-limit.users[0].name")
				.contains("the user has no name")));
	}

	@Test
	void userNamedTwiceFailsNamingTheProperty() {
		this.runner
			.withPropertyValues("rate-limit.users[0].name=alice-secret", "rate-limit.users[1].name=alice-secret",
					"rate-limit.users[1].tier=business")
			.run(failsWith((failure) -> {
				assertThat(failure.getMessage()).contains("rate-limit.users[1].name").contains("named twice");
			}));
	}

	private static org.springframework.boot.test.context.runner.ContextConsumer<AssertableWebApplicationContext> failsWith(
			Consumer<InvalidConfigurationPropertyValueException> assertions) {
		return (context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class);
			Throwable root = context.getStartupFailure();
			while (root.getCause() != null) {
				root = root.getCause();
			}
			assertions.accept((InvalidConfigurationPropertyValueException) root);
		};
	}

	private static MockHttpServletRequest request(String address, String user) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/ping");
		request.setRemoteAddr(address);
		if (user != null) {
			request.setUserPrincipal(() -> user);
		}
		return request;
	}

}
