package dev.ratelimit.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample as the README starts it: no Redis configured, so it starts its own.
 */
class EmbeddedRedisStarterTests {

	@Test
	void anyRedisPropertyMeansRedisIsConfigured() {
		assertThat(EmbeddedRedisStarter.isRedisConfigured(new StandardEnvironment())).isFalse();
		for (String property : EmbeddedRedisStarter.REDIS_PROPERTIES) {
			assertThat(EmbeddedRedisStarter.isRedisConfigured(new MockEnvironment().withProperty(property, "x")))
				.isTrue();
		}
	}

	@Test
	void startsWithEmbeddedRedisWhenNoneIsConfigured() throws Exception {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		application.addListeners(new EmbeddedRedisStarter());
		try (ConfigurableApplicationContext context = application.run("--server.port=0")) {
			assertThat(context.getEnvironment().getPropertySources().contains("embeddedRedis")).isTrue();
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			HttpResponse<String> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/ping")).build(),
						HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("1000");
		}
	}

}
