package dev.ratelimit.sample;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Login (limited per client address) and a ping under the default operation.
 *
 * @author rate-limit-spring-boot
 */
@RestController
class ApiController {

	@GetMapping("/api/ping")
	Map<String, Object> ping() {
		return Map.of("pong", true);
	}

	@PostMapping("/auth/login")
	Map<String, Object> login() {
		return Map.of("token", "demo-token");
	}

}
