package dev.ratelimit.web;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.TestingAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class DefaultIdentityResolverTests {

	private final ClientAddressResolver addresses = new ClientAddressResolver(List.of());

	private final DefaultIdentityResolver resolver = new DefaultIdentityResolver("X-API-Key", 16, this.addresses);

	@Test
	void principalWinsOverApiKeyAndAddress() {
		MockHttpServletRequest request = request("k-1");
		request.setUserPrincipal(new TestingAuthenticationToken("alice", null));
		assertThat(this.resolver.resolve(request)).isEqualTo(Identity.user("alice"));
	}

	@Test
	void apiKeyIsHashed() {
		Identity identity = this.resolver.resolve(request("k-1"));
		assertThat(identity).isEqualTo(Identity.apiKey("k-1"));
		assertThat(identity.scope()).startsWith("k:").doesNotContain("k-1").hasSize(2 + 32);
	}

	@Test
	void apiKeyHeaderIsOptIn() {
		DefaultIdentityResolver withoutHeader = new DefaultIdentityResolver("", this.addresses);
		assertThat(withoutHeader.resolve(request("k-1"))).isEqualTo(Identity.address("203.0.113.9"));
		assertThat(new DefaultIdentityResolver(null, this.addresses).resolve(request("k-1")))
			.isEqualTo(Identity.address("203.0.113.9"));
	}

	@Test
	void missingOrBlankApiKeyFallsBackToTheAddress() {
		assertThat(this.resolver.resolve(request(null))).isEqualTo(Identity.address("203.0.113.9"));
		assertThat(this.resolver.resolve(request(""))).isEqualTo(Identity.address("203.0.113.9"));
		assertThat(this.resolver.resolve(request(" \t "))).isEqualTo(Identity.address("203.0.113.9"));
	}

	@Test
	void surroundingSpacesAreNotPartOfTheKey() {
		assertThat(this.resolver.resolve(request("\t k-1 "))).isEqualTo(Identity.apiKey("k-1"));
	}

	@Test
	void keyOfTheMaximumLengthIsAccepted() {
		String key = "k".repeat(16);
		assertThat(this.resolver.resolve(request(key))).isEqualTo(Identity.apiKey(key));
	}

	@Test
	void longerKeyIsRejectedWithoutRepeatingIt() {
		String key = "secret".repeat(3);
		assertThatExceptionOfType(MalformedRequestException.class).isThrownBy(() -> this.resolver.resolve(request(key)))
			.withMessage("The X-API-Key header is longer than 16 characters.")
			.satisfies((ex) -> assertThat(ex.getStackTrace()).isEmpty());
	}

	@Test
	void keysWithAnythingButVisibleAsciiAreRejected() {
		for (String key : List.of("sec\u0000ret", "sec\u0001ret", "sec\u007Fret", "sec ret", "sec\tret", "s\u00e9cret",
				"s\u00ffcret", "s\u4e16cret", "sec\rret", "sec\nret")) {
			assertThatExceptionOfType(MalformedRequestException.class).as("key %s", key.chars().boxed().toList())
				.isThrownBy(() -> this.resolver.resolve(request(key)))
				.withMessageNotContaining("sec")
				.withMessageContaining("visible ASCII");
		}
	}

	@Test
	void oddButVisibleKeysAreJustKeys() {
		for (String key : List.of("Bearer.x", "'\";--", "{\"k\":1}", "../../etc", "%00%0d%0a", "*", "k:1,2")) {
			assertThat(this.resolver.resolve(request(key))).isEqualTo(Identity.apiKey(key));
		}
	}

	private static MockHttpServletRequest request(String apiKey) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/ping");
		request.setRemoteAddr("203.0.113.9");
		if (apiKey != null) {
			request.addHeader("X-API-Key", apiKey);
		}
		return request;
	}

}
