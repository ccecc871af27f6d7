package dev.ratelimit.testfixtures;

import dev.ratelimit.web.RateLimited;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The API that the integration tests send requests to: a ping on the default operation, a
 * generation that {@link RateLimited @RateLimited} puts on {@code ai_generation}, and a
 * login that tests give a path rule of their own (typically keyed by address). Import it
 * into a test's application.
 *
 * @author rate-limit-spring-boot
 */
@RestController
public final class TestApiController {

	@GetMapping("/api/ping")
	String ping() {
		return "pong";
	}

	@PostMapping("/api/generate")
	@RateLimited(operation = "ai_generation")
	String generate() {
		return "generated";
	}

	@PostMapping("/auth/login")
	String login() {
		return "token";
	}

}
