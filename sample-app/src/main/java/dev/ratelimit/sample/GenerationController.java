package dev.ratelimit.sample;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.ratelimit.web.RateLimited;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * AI generation: the expensive, plan-limited operation (three routes to it), the list of
 * generations, and their files and exports.
 *
 * @author rate-limit-spring-boot
 */
@RestController
class GenerationController {

	@PostMapping("/api/v2/generation/generate")
	@RateLimited(operation = "ai_generation")
	Map<String, Object> generate() {
		return Map.of("id", UUID.randomUUID().toString(), "status", "queued");
	}

	@PostMapping("/generations/iterate")
	@RateLimited(operation = "ai_generation")
	Map<String, Object> iterate() {
		return Map.of("id", UUID.randomUUID().toString(), "status", "queued");
	}

	@PostMapping("/ai/generate")
	@RateLimited(operation = "ai_generation")
	Map<String, Object> aiGenerate() {
		return Map.of("id", UUID.randomUUID().toString(), "status", "queued");
	}

	@GetMapping("/generations/")
	List<Map<String, Object>> generations() {
		return List.of(Map.of("id", "42", "status", "done"));
	}

	@PostMapping("/generations/{id}/export")
	Map<String, Object> export(@PathVariable String id) {
		return Map.of("id", id, "export", "/generations/" + id + "/download");
	}

	@GetMapping("/generations/{id}/files")
	Map<String, Object> files(@PathVariable String id) {
		return Map.of("id", id, "files", List.of("main.py", "README.md"));
	}

	@GetMapping("/generations/{id}/download")
	ResponseEntity<byte[]> download(@PathVariable String id) {
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.body(("generation " + id).getBytes());
	}

}
