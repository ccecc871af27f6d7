package dev.ratelimit.web;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.ScopeKind;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.TierPolicy;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ProblemDetailRateLimitProblemWriter}: the RFC 9457 bodies of denied,
 * unavailable and malformed requests.
 *
 * @author rate-limit-spring-boot
 */
class ProblemDetailRateLimitProblemWriterTests {

	private static final URI TYPE = URI.create("https://api.example.com/problems/rate-limit");

	private static final LimitSpec HOURLY = LimitSpec.of(5, Duration.ofHours(1));

	private static final OperationPolicy GENERATION = new OperationPolicy("ai_generation", "aigeneration",
			KeyType.IDENTITY, 1, List.of());

	private static final TierPolicy FREE = new TierPolicy("free", "free", false, "/pricing?upgrade=pro", Map.of());

	private static final TierPolicy PRO = new TierPolicy("pro", "pro", false, null, Map.of());

	private final JsonMapper jsonMapper = JsonMapper.builder().build();

	private final ProblemDetailRateLimitProblemWriter writer = new ProblemDetailRateLimitProblemWriter(TYPE,
			this.jsonMapper);

	@Test
	void deniedRequestGets429WithEveryMember() throws IOException {
		MockHttpServletResponse response = write("/api/generate", FREE, denied(Duration.ofMinutes(12)));
		assertThat(response.getStatus()).isEqualTo(429);
		assertThat(MediaType.parseMediaType(response.getContentType()))
			.isEqualTo(MediaType.parseMediaType("application/problem+json;charset=UTF-8"));
		JsonNode body = body(response);
		assertThat(body.propertyNames()).containsExactly("type", "title", "status", "detail", "instance", "operation",
				"tier", "limit", "window", "remaining", "scope", "retryAfter", "upgradeUrl");
		assertThat(body.path("type").asString()).isEqualTo(TYPE.toString());
		assertThat(body.path("title").asString()).isEqualTo("Too Many Requests");
		assertThat(body.path("status").asInt()).isEqualTo(429);
		assertThat(body.path("detail").asString()).isEqualTo(
				"Rate limit exceeded for operation 'ai_generation' on tier 'free': at most 5 per 1h. Retry in 720 seconds.");
		assertThat(body.path("instance").asString()).isEqualTo("/api/generate");
		assertThat(body.path("operation").asString()).isEqualTo("ai_generation");
		assertThat(body.path("tier").asString()).isEqualTo("free");
		assertThat(body.path("limit").asLong()).isEqualTo(5);
		assertThat(body.path("window").asString()).isEqualTo("1h");
		assertThat(body.path("remaining").asLong()).isZero();
		assertThat(body.path("scope").asString()).isEqualTo("caller");
		assertThat(body.path("retryAfter").asLong()).isEqualTo(720);
		assertThat(body.path("upgradeUrl").asString()).isEqualTo("/pricing?upgrade=pro");
	}

	@Test
	void aConcurrencyDenialSaysSoAndNamesItsScope() throws IOException {
		LimitSpec streams = LimitSpec.concurrency(3, Duration.ofSeconds(30));
		Decision decision = Decision.of(
				List.of(new LimitState(HOURLY, true, 3, Duration.ofHours(1), Duration.ZERO),
						new LimitState(streams, false, 0, Duration.ZERO, Duration.ofMillis(200))),
				List.of(ScopeKind.CALLER, ScopeKind.CALLER), List.of());
		JsonNode body = body(write("/api/generate", PRO, decision));
		assertThat(body.path("detail").asString()).isEqualTo("Concurrency limit exceeded for operation "
				+ "'ai_generation' on tier 'pro': at most 3 requests in flight at once. Retry in 1 second, "
				+ "or when one of them completes.");
		assertThat(body.path("concurrent").asBoolean()).isTrue();
		assertThat(body.path("limit").asLong()).isEqualTo(3);
		assertThat(body.has("window")).isFalse();
		assertThat(body.path("scope").asString()).isEqualTo("caller");
		assertThat(body.path("retryAfter").asLong()).isEqualTo(1);
	}

	@Test
	void aGlobalDenialNamesTheGlobalScope() throws IOException {
		LimitSpec global = LimitSpec.of(1000, Duration.ofHours(1));
		Decision decision = Decision.of(
				List.of(new LimitState(HOURLY, true, 3, Duration.ofHours(1), Duration.ZERO),
						new LimitState(global, false, 0, Duration.ofHours(1), Duration.ofSeconds(4))),
				List.of(ScopeKind.CALLER, ScopeKind.GLOBAL), List.of());
		JsonNode body = body(write("/api/generate", PRO, decision));
		assertThat(body.path("scope").asString()).isEqualTo("global");
		assertThat(body.path("detail").asString()).isEqualTo("Rate limit exceeded for operation 'ai_generation' "
				+ "(all callers together): at most 1000 per 1h. Retry in 4 seconds.");
	}

	@Test
	void tierWithoutUpgradeUrlHasNoUpgradeUrlMember() throws IOException {
		JsonNode body = body(write("/api/generate", PRO, denied(Duration.ofMinutes(12))));
		assertThat(body.has("upgradeUrl")).isFalse();
		assertThat(body.path("tier").asString()).isEqualTo("pro");
	}

	@Test
	void retryAfterOfTheBodyIsRoundedUpToAtLeastOneSecond() throws IOException {
		assertThat(body(write("/api/generate", PRO, denied(Duration.ofMillis(200)))).path("retryAfter").asLong())
			.isEqualTo(1);
		assertThat(body(write("/api/generate", PRO, denied(Duration.ofMillis(1_500)))).path("retryAfter").asLong())
			.isEqualTo(2);
	}

	@Test
	void unavailableDecisionGets503WithoutLimitMembers() throws IOException {
		MockHttpServletResponse response = write("/api/generate", PRO, Decision.unavailable(Duration.ofSeconds(4)));
		assertThat(response.getStatus()).isEqualTo(503);
		JsonNode body = body(response);
		assertThat(body.path("type").asString()).isEqualTo(TYPE.toString());
		assertThat(body.path("title").asString()).isEqualTo("Service Unavailable");
		assertThat(body.path("status").asInt()).isEqualTo(503);
		assertThat(body.path("detail").asString())
			.isEqualTo("Rate limits cannot be checked right now. Retry in 4 seconds.");
		assertThat(body.path("operation").asString()).isEqualTo("ai_generation");
		assertThat(body.path("tier").asString()).isEqualTo("pro");
		assertThat(body.path("retryAfter").asLong()).isEqualTo(4);
		assertThat(body.has("limit")).isFalse();
		assertThat(body.has("window")).isFalse();
		assertThat(body.has("remaining")).isFalse();
	}

	@Test
	void instanceThatIsNoUriIsAboutBlank() throws IOException {
		assertThat(body(write("/api/%zz", PRO, denied(Duration.ofSeconds(1)))).path("instance").asString())
			.isEqualTo("about:blank");
	}

	@Test
	void malformedRequestGets400WithTheRejectionAsDetail() throws IOException {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/ping");
		String apiKey = "k".repeat(300);
		request.addHeader("X-API-Key", apiKey);
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.writer.writeRejected(request, response, new MalformedRequestException("The API key is too long."));
		assertThat(response.getStatus()).isEqualTo(400);
		assertThat(MediaType.parseMediaType(response.getContentType())
			.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
		JsonNode body = body(response);
		assertThat(body.propertyNames()).containsExactly("type", "title", "status", "detail", "instance");
		assertThat(body.path("type").asString()).isEqualTo("about:blank");
		assertThat(body.path("title").asString()).isEqualTo("Bad Request");
		assertThat(body.path("status").asInt()).isEqualTo(400);
		assertThat(body.path("detail").asString()).isEqualTo("The API key is too long.");
		assertThat(body.path("instance").asString()).isEqualTo("/api/ping");
		assertThat(response.getContentAsString()).doesNotContain(apiKey);
	}

	@Test
	void malformedPathIsNotRepeatedInThe400Body() throws IOException {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api;%zz<script>");
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.writer.writeRejected(request, response,
				new MalformedRequestException("The request path is not valid percent-encoding."));
		JsonNode body = body(response);
		assertThat(body.path("instance").asString()).isEqualTo("about:blank");
		assertThat(response.getContentAsString()).doesNotContain("%zz").doesNotContain("script");
	}

	@Test
	void denylistedCallerGetsA403ProblemThatDoesNotNameIt() throws IOException {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/ping");
		request.setRemoteAddr("203.0.113.7");
		request.setUserPrincipal(() -> "mallory");
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.writer.writeDenylisted(request, response);
		assertThat(response.getStatus()).isEqualTo(403);
		assertThat(MediaType.parseMediaType(response.getContentType())
			.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
		JsonNode body = body(response);
		assertThat(body.propertyNames()).containsExactly("type", "title", "status", "detail", "instance");
		assertThat(body.path("type").asString()).isEqualTo("about:blank");
		assertThat(body.path("title").asString()).isEqualTo("Forbidden");
		assertThat(body.path("status").asInt()).isEqualTo(403);
		assertThat(body.path("instance").asString()).isEqualTo("/api/ping");
		assertThat(response.getContentAsString()).doesNotContain("203.0.113.7").doesNotContain("mallory");
	}

	@Test
	void usersOwnProblemWriterAnswersDenylistedCallersWith403ByDefault() throws IOException {
		RateLimitProblemWriter own = (request, response, resolved, decision) -> response.setStatus(429);
		MockHttpServletResponse response = new MockHttpServletResponse();
		own.writeDenylisted(new MockHttpServletRequest("GET", "/api/ping"), response);
		assertThat(response.getStatus()).isEqualTo(403);
	}

	private MockHttpServletResponse write(String path, TierPolicy tier, Decision decision) throws IOException {
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.writer.write(new MockHttpServletRequest("POST", path), response, resolved(tier), decision);
		return response;
	}

	private static ResolvedRequest resolved(TierPolicy tier) {
		return new ResolvedRequest(GENERATION, tier, Identity.apiKey("key"), List.of(HOURLY), 1);
	}

	private static Decision denied(Duration retryAfter) {
		return Decision.of(List.of(new LimitState(HOURLY, false, 0, Duration.ofHours(1), retryAfter)));
	}

	private JsonNode body(MockHttpServletResponse response) throws IOException {
		return this.jsonMapper.readTree(response.getContentAsString());
	}

}
