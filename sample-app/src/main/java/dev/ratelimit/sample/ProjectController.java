package dev.ratelimit.sample;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Projects: validation and preview are limited by a path rule in application.yml.
 *
 * @author rate-limit-spring-boot
 */
@RestController
class ProjectController {

	@PostMapping("/projects/validate")
	Map<String, Object> validate() {
		return Map.of("valid", true);
	}

	@PostMapping("/projects/preview")
	Map<String, Object> preview() {
		return Map.of("preview", "<html>…</html>");
	}

	@GetMapping({ "/projects", "/projects/" })
	List<Map<String, Object>> projects() {
		return List.of(Map.of("id", 1, "name", "demo"));
	}

}
