package dev.ratelimit.web;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ClientAddressResolverTests {

	private final ClientAddressResolver resolver = new ClientAddressResolver(
			List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("::1")));

	@Test
	void forwardedForFromUntrustedPeerIsIgnored() {
		MockHttpServletRequest request = request("203.0.113.9");
		request.addHeader("X-Forwarded-For", "198.51.100.1");
		assertThat(this.resolver.resolve(request)).isEqualTo("203.0.113.9");
	}

	@Test
	void rightMostUntrustedHopIsTheClient() {
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("X-Forwarded-For", "1.2.3.4, 198.51.100.7, 10.0.0.1");
		assertThat(this.resolver.resolve(request)).isEqualTo("198.51.100.7");
	}

	@Test
	void forwardedHeaderIsPreferred() {
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("Forwarded", "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\"");
		request.addHeader("X-Forwarded-For", "198.51.100.7");
		assertThat(this.resolver.resolve(request)).isEqualTo("2001:db8:cafe:0:0:0:0:17");
	}

	@Test
	void malformedHopStopsAtLastTrustedAddress() {
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("X-Forwarded-For", "evil.example.com, <script>, 10.0.0.5");
		assertThat(this.resolver.resolve(request)).isEqualTo("10.0.0.5");
	}

	@Test
	void portsAreStripped() {
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("X-Forwarded-For", "198.51.100.7:5555");
		assertThat(this.resolver.resolve(request)).isEqualTo("198.51.100.7");
	}

	@Test
	void addressRangesMatchByPrefix() {
		assertThat(AddressRange.parse("192.168.0.0/16").contains(AddressRange.parseAddress("192.168.44.1"))).isTrue();
		assertThat(AddressRange.parse("192.168.0.0/17").contains(AddressRange.parseAddress("192.168.200.1")))
			.isFalse();
		assertThat(AddressRange.parse("fd00::/8").contains(AddressRange.parseAddress("fd12::1"))).isTrue();
		assertThat(AddressRange.parseAddress("localhost")).isNull();
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRange.parse("10.0.0.0/33"));
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRange.parse("not-an-ip"));
	}

	private static MockHttpServletRequest request(String remoteAddress) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/ping");
		request.setRemoteAddr(remoteAddress);
		return request;
	}

}
