package dev.ratelimit.sample;

import java.util.Map;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Login, registration and token refresh (limited per client address), the caller's own
 * account and a ping under the default operation.
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

	@PostMapping("/auth/register")
	Map<String, Object> register() {
		return Map.of("registered", true);
	}

	@PostMapping("/auth/refresh")
	Map<String, Object> refresh() {
		return Map.of("token", "demo-token");
	}

	@GetMapping("/auth/me")
	Map<String, Object> me(Authentication authentication) {
		if (authentication == null || authentication instanceof AnonymousAuthenticationToken) {
			return Map.of("authenticated", false);
		}
		// The demo key is the principal: show only its tier, not the key.
		String tier = authentication.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.filter((authority) -> authority.startsWith("TIER_"))
			.map((authority) -> authority.substring("TIER_".length()))
			.findFirst()
			.orElse("free");
		return Map.of("authenticated", true, "tier", tier);
	}

}
