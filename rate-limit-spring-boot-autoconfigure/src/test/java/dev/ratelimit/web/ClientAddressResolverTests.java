package dev.ratelimit.web;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ClientAddressResolverTests {

	private static final List<AddressRange> TRUSTED = List.of(AddressRange.parse("10.0.0.0/8"),
			AddressRange.parse("::1"));

	private final ClientAddressResolver resolver = new ClientAddressResolver(TRUSTED);

	private final ClientAddressResolver forwardedResolver = new ClientAddressResolver(TRUSTED, "Forwarded");

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
	void forwardedHeaderIsReadWhenConfigured() {
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("Forwarded", "for=192.0.2.60;proto=http, For=\"[2001:db8:cafe::17]:4711\";by=10.0.0.2");
		request.addHeader("X-Forwarded-For", "198.51.100.7");
		assertThat(this.forwardedResolver.resolve(request)).isEqualTo("2001:db8:cafe:0:0:0:0:17");
	}

	@Test
	void forwardedHeaderPassedThroughFromTheClientIsNotBelieved() {
		// The proxies write X-Forwarded-For and pass the client's own Forwarded header on
		// untouched.
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("Forwarded", "for=192.0.2.1");
		request.addHeader("X-Forwarded-For", "198.51.100.7");
		assertThat(this.resolver.resolve(request)).isEqualTo("198.51.100.7");
	}

	@Test
	void forwardedForPassedThroughFromTheClientIsNotBelievedWhenProxiesWriteForwarded() {
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("X-Forwarded-For", "192.0.2.1");
		request.addHeader("Forwarded", "for=198.51.100.7");
		assertThat(this.forwardedResolver.resolve(request)).isEqualTo("198.51.100.7");
	}

	@Test
	void forwardedElementsWithoutAnAddressStopTheWalk() {
		for (String element : List.of("for=unknown", "for=_hidden", "proto=https", "for=", "for=\"\"", "for")) {
			MockHttpServletRequest request = request("10.0.0.2");
			request.addHeader("Forwarded", "for=198.51.100.7, " + element);
			assertThat(this.forwardedResolver.resolve(request)).as(element).isEqualTo("10.0.0.2");
		}
	}

	@Test
	void severalHeaderLinesAreOneListInOrder() {
		// A proxy that appends a header line of its own rather than extending the
		// client's.
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("X-Forwarded-For", "192.0.2.1, 192.0.2.2");
		request.addHeader("X-Forwarded-For", "198.51.100.7, 10.0.0.3");
		assertThat(this.resolver.resolve(request)).isEqualTo("198.51.100.7");
		MockHttpServletRequest trustedAll = request("10.0.0.2");
		trustedAll.addHeader("X-Forwarded-For", "192.0.2.1, 192.0.2.2");
		trustedAll.addHeader("X-Forwarded-For", "10.0.0.4, 10.0.0.3");
		assertThat(this.resolver.resolve(trustedAll)).isEqualTo("192.0.2.2");
	}

	@Test
	void chainOfOnlyTrustedProxiesEndsAtTheLeftMost() {
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("X-Forwarded-For", "10.0.0.9, 10.0.0.8");
		assertThat(this.resolver.resolve(request)).isEqualTo("10.0.0.9");
	}

	@Test
	void emptyHopsStopTheWalk() {
		for (String header : List.of("", " ", ",", "198.51.100.7,", "198.51.100.7, ,10.0.0.3")) {
			MockHttpServletRequest request = request("10.0.0.2");
			request.addHeader("X-Forwarded-For", header);
			assertThat(this.resolver.resolve(request)).as("'%s'", header).startsWith("10.0.0.");
		}
	}

	@Test
	void onlyTheRightMostHopsAreWalked() {
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("X-Forwarded-For", "198.51.100.7, " + "10.0.0.1, ".repeat(40) + "10.0.0.1");
		assertThat(this.resolver.resolve(request)).isEqualTo("10.0.0.1");
	}

	@Test
	void hugeHeaderFromATrustedProxyIsReadOnlyAsFarAsNeeded() {
		MockHttpServletRequest request = request("10.0.0.2");
		request.addHeader("X-Forwarded-For", ",".repeat(1_000_000) + "198.51.100.7");
		assertThat(this.resolver.resolve(request)).isEqualTo("198.51.100.7");
	}

	@Test
	void ipv6PeersAndHops() {
		MockHttpServletRequest request = request("0:0:0:0:0:0:0:1");
		request.addHeader("X-Forwarded-For", "[2001:db8::7]:443");
		assertThat(this.resolver.resolve(request)).isEqualTo("2001:db8:0:0:0:0:0:7");
		MockHttpServletRequest plain = request("::1");
		plain.addHeader("X-Forwarded-For", "2001:db8::8");
		assertThat(this.resolver.resolve(plain)).isEqualTo("2001:db8:0:0:0:0:0:8");
		MockHttpServletRequest mapped = request("::1");
		mapped.addHeader("X-Forwarded-For", "::ffff:198.51.100.7");
		assertThat(this.resolver.resolve(mapped)).isEqualTo("198.51.100.7");
	}

	@Test
	void garbageFromATrustedProxyNeverFails() {
		for (String header : List.of("\u0000", "\u00ff\u00fe", "[", "[]", "[::1", "]:80", ":", "::::::::::",
				"1.2.3.4.5", "256.1.1.1", "1.2.3", "01.2.3.4x", "fe80::1%eth0", ".:1", "x:1", "a".repeat(10_000),
				"1.2.3.4:99999:1", "-1.2.3.4", "0x7f.0.0.1", "\u0661.\u0662.\u0663.\u0664")) {
			for (ClientAddressResolver resolver : List.of(this.resolver, this.forwardedResolver)) {
				MockHttpServletRequest request = request("10.0.0.2");
				request.addHeader("X-Forwarded-For", header);
				request.addHeader("Forwarded", "for=" + header);
				assertThat(resolver.resolve(request)).as("'%s'", header).isEqualTo("10.0.0.2");
			}
		}
	}

	@Test
	void peerThatIsNotAnAddressIsUsedAsIs() {
		MockHttpServletRequest unknown = request("10.0.0.2");
		unknown.setRemoteAddr(null);
		assertThat(this.resolver.resolve(unknown)).isEqualTo("unknown");
		MockHttpServletRequest socket = request("/var/run/app.sock");
		socket.addHeader("X-Forwarded-For", "198.51.100.7");
		assertThat(this.resolver.resolve(socket)).isEqualTo("/var/run/app.sock");
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
		assertThat(AddressRange.parse("192.168.0.0/17").contains(AddressRange.parseAddress("192.168.200.1"))).isFalse();
		assertThat(AddressRange.parse("fd00::/8").contains(AddressRange.parseAddress("fd12::1"))).isTrue();
		assertThat(AddressRange.parseAddress("localhost")).isNull();
		// Neither is an IP literal; InetAddress would hand them to the name service.
		assertThat(AddressRange.parseAddress(".:1")).isNull();
		assertThat(AddressRange.parseAddress("example.com")).isNull();
		assertThat(AddressRange.parseAddress("\u0661.\u0662.\u0663.\u0664")).isNull();
		assertThat(AddressRange.parseAddress("\u0661::1")).isNull();
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRange.parse("10.0.0.0/33"));
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRange.parse("not-an-ip"));
	}

	private static MockHttpServletRequest request(String remoteAddress) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/ping");
		request.setRemoteAddr(remoteAddress);
		return request;
	}

}
