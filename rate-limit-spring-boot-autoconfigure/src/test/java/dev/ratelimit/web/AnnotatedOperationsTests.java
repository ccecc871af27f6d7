package dev.ratelimit.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.policy.RateLimitConfigurationException;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.web.AnnotatedOperations.AnnotatedOperation;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockServletContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.StaticWebApplicationContext;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link AnnotatedOperations}: the operation of the handler that will serve a
 * request, looked up only for requests an annotated method could serve.
 *
 * @author rate-limit-spring-boot
 */
class AnnotatedOperationsTests {

	private final CountingHandlerMapping mapping = new CountingHandlerMapping();

	private final AnnotatedOperations operations = annotatedOperations(this.mapping, ItemController.class);

	@Test
	void requestToAnAnnotatedMethodHasItsOperation() {
		AnnotatedOperation operation = find("POST", "/items/42");
		assertThat(operation).isNotNull();
		assertThat(operation.operation().name()).isEqualTo("ai_generation");
		assertThat(operation.cost()).isEqualTo(3);
	}

	@Test
	void concurrentGivesEachCallerAConcurrencyLimitWithThePolicysLeaseTimeout() {
		AnnotatedOperations operations = annotatedOperations(new CountingHandlerMapping(), StreamController.class);
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/streams/7");
		AnnotatedOperation operation = operations.find(request, ServletRequestPathUtils.parse(request));
		assertThat(operation).isNotNull();
		assertThat(operation.operation().concurrent()).isEqualTo(LimitSpec.concurrency(2, Duration.ofSeconds(30)));
		assertThat(policy().tierOrDefault("free").limitsFor(operation.operation()))
			.containsExactly(LimitSpec.of(5, Duration.ofHours(1)), LimitSpec.concurrency(2, Duration.ofSeconds(30)));
	}

	@Test
	void shadowPutsTheHandlersOperationInShadowModeThereOnly() {
		AnnotatedOperations operations = annotatedOperations(new CountingHandlerMapping(), ShadowController.class);
		MockHttpServletRequest shadowed = new MockHttpServletRequest("POST", "/trial/7");
		assertThat(operations.find(shadowed, ServletRequestPathUtils.parse(shadowed)).operation().shadow()).isTrue();
		MockHttpServletRequest enforced = new MockHttpServletRequest("POST", "/enforced/7");
		assertThat(operations.find(enforced, ServletRequestPathUtils.parse(enforced)).operation().shadow()).isFalse();
	}

	@Test
	void negativeConcurrentFailsAtStartup() {
		assertThatExceptionOfType(RateLimitConfigurationException.class)
			.isThrownBy(() -> annotatedOperations(new CountingHandlerMapping(), NegativeStreamController.class))
			.withMessageContaining("concurrent must not be negative, was -1");
	}

	@Test
	void moreSpecificMappingThatIsNotAnnotatedWins() {
		assertThat(find("POST", "/items/special")).isNull();
		assertThat(this.mapping.lookups).hasValue(1);
	}

	@Test
	void requestOfAnotherMethodOnAnAnnotatedPathIsNotAnnotated() {
		assertThat(find("GET", "/items/42")).isNull();
	}

	@Test
	void requestThatNoAnnotatedMethodCouldServeNeedsNoLookup() {
		assertThat(find("GET", "/api/ping")).isNull();
		assertThat(find("POST", "/other/42")).isNull();
		assertThat(this.mapping.lookups).hasValue(0);
	}

	@Test
	void withoutAnnotatedMethodsNoRequestIsLookedUp() {
		CountingHandlerMapping mapping = new CountingHandlerMapping();
		AnnotatedOperations operations = annotatedOperations(mapping, PingController.class);
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/ping");
		assertThat(operations.find(request, ServletRequestPathUtils.parse(request))).isNull();
		assertThat(mapping.lookups).hasValue(0);
	}

	private @Nullable AnnotatedOperation find(String method, String path) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, path);
		return this.operations.find(request, ServletRequestPathUtils.parse(request));
	}

	private static AnnotatedOperations annotatedOperations(RequestMappingHandlerMapping mapping,
			Class<?>... controllers) {
		StaticWebApplicationContext context = new StaticWebApplicationContext();
		context.setServletContext(new MockServletContext());
		for (Class<?> controller : controllers) {
			context.registerSingleton(controller.getSimpleName(), controller);
		}
		context.refresh();
		mapping.setApplicationContext(context);
		mapping.afterPropertiesSet();
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerSingleton("requestMappingHandlerMapping", mapping);
		AnnotatedOperations operations = new AnnotatedOperations(policy(),
				beanFactory.getBeanProvider(RequestMappingHandlerMapping.class));
		operations.afterSingletonsInstantiated();
		return operations;
	}

	private static RateLimitPolicy policy() {
		return RateLimitPolicy.builder()
			.tier("free", false, null,
					Map.of("ai_generation", List.of(LimitSpec.of(5, Duration.ofHours(1))), "api_requests",
							List.of(LimitSpec.of(100, Duration.ofHours(1)))))
			.build();
	}

	static class CountingHandlerMapping extends RequestMappingHandlerMapping {

		final AtomicInteger lookups = new AtomicInteger();

		@Override
		protected @Nullable HandlerMethod getHandlerInternal(HttpServletRequest request) throws Exception {
			this.lookups.incrementAndGet();
			return super.getHandlerInternal(request);
		}

	}

	@RestController
	static class ItemController {

		@PostMapping("/items/{id}")
		@RateLimited(operation = "ai_generation", cost = 3)
		List<String> generate() {
			return List.of();
		}

		@PostMapping("/items/special")
		List<String> special() {
			return List.of();
		}

		@GetMapping("/items/{id}")
		List<String> get() {
			return List.of();
		}

		@GetMapping("/api/ping")
		List<String> ping() {
			return List.of();
		}

	}

	@RestController
	static class StreamController {

		@GetMapping("/streams/{id}")
		@RateLimited(operation = "ai_generation", concurrent = 2)
		List<String> stream() {
			return List.of();
		}

	}

	@RestController
	static class ShadowController {

		@PostMapping("/trial/{id}")
		@RateLimited(operation = "ai_generation", shadow = true)
		List<String> trial() {
			return List.of();
		}

		@PostMapping("/enforced/{id}")
		@RateLimited(operation = "ai_generation")
		List<String> enforced() {
			return List.of();
		}

	}

	@RestController
	static class NegativeStreamController {

		@GetMapping("/streams/{id}")
		@RateLimited(operation = "ai_generation", concurrent = -1)
		List<String> stream() {
			return List.of();
		}

	}

	@RestController
	static class PingController {

		@GetMapping("/api/ping")
		List<String> ping() {
			return List.of();
		}

	}

}
