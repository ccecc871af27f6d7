package dev.ratelimit.actuate;

import dev.ratelimit.actuate.IdentitySelector.Selection;
import dev.ratelimit.web.Identity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class IdentitySelectorTests {

	@Test
	void prefixesNameTheKindOfCaller() {
		assertThat(IdentitySelector.parse("user:alice")).isEqualTo(new Selection("user", Identity.user("alice")));
		assertThat(IdentitySelector.parse("key:sk-123")).isEqualTo(new Selection("key", Identity.apiKey("sk-123")));
		assertThat(IdentitySelector.parse("ip:192.0.2.7"))
			.isEqualTo(new Selection("ip", Identity.address("192.0.2.7")));
	}

	@Test
	void bareAddressIsAnAddressAndAnyOtherBareValueAUser() {
		assertThat(IdentitySelector.parse("192.0.2.7").identity()).isEqualTo(Identity.address("192.0.2.7"));
		assertThat(IdentitySelector.parse("demo-free-alice"))
			.isEqualTo(new Selection("user", Identity.user("demo-free-alice")));
		assertThat(IdentitySelector.parse("alice@example.com").identity())
			.isEqualTo(Identity.user("alice@example.com"));
	}

	@Test
	void addressesAreNormalisedAsTheClientAddressResolverDoes() {
		Identity loopback = IdentitySelector.parse("::1").identity();
		assertThat(IdentitySelector.parse("ip:0:0:0:0:0:0:0:1").identity()).isEqualTo(loopback);
		assertThat(IdentitySelector.parse("2001:db8::1").isAddress()).isTrue();
		assertThat(IdentitySelector.parse("dead:beef::1").isAddress()).isTrue();
		assertThat(IdentitySelector.parse("::ffff:192.0.2.7").identity()).isEqualTo(Identity.address("192.0.2.7"));
	}

	@Test
	void scopeSelectsTheHashedScopeTheEndpointShows() {
		Identity user = Identity.user("alice");
		assertThat(IdentitySelector.parse("scope:" + user.scope())).isEqualTo(new Selection("scope", user));
		assertThat(IdentitySelector.parse("scope:" + user.scope().toUpperCase().replace("U:", "u:")).identity())
			.isEqualTo(user);
		Identity address = Identity.address("192.0.2.7");
		assertThat(IdentitySelector.parse("scope:" + address.scope()).isAddress()).isTrue();
	}

	@Test
	void apiKeysAreTrimmedAsTheIdentityResolverDoes() {
		assertThat(IdentitySelector.parse("key: sk-123 ").identity()).isEqualTo(Identity.apiKey("sk-123"));
	}

	@Test
	void userNamesWithAPrefixLikePartNeedTheUserPrefix() {
		assertThat(IdentitySelector.parse("user:key:x").identity()).isEqualTo(Identity.user("key:x"));
		assertThat(IdentitySelector.parse("user:usr:alice").identity()).isEqualTo(Identity.user("usr:alice"));
	}

	@ParameterizedTest
	@ValueSource(
			strings = { "", " ", "user:", "key:", "key:  ", "ip:", "ip:example.com", "ip:999.1.1.1", "ip:10.0.0.0/8",
					"scope:", "scope:u:", "scope:u:123", "scope:global", "scope:x:0123456789abcdef0123456789abcdef",
					"scope:u:0123456789abcdef0123456789abcdeg", "usr:alice", "Key:abc" })
	void rejectsInvalidSelectors(String selector) {
		assertThatIllegalArgumentException().isThrownBy(() -> IdentitySelector.parse(selector));
	}

	@Test
	void rejectsVeryLongSelectors() {
		assertThatIllegalArgumentException().isThrownBy(() -> IdentitySelector.parse("a".repeat(1025)));
	}

}
