package dev.ratelimit.testfixtures;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A test application serving the {@link TestApiController} to callers that the
 * {@link HeaderPrincipalFilter} authenticates: for tests of what the starter does with
 * principal names.
 *
 * @author rate-limit-spring-boot
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(TestApiController.class)
public class PrincipalTestApplication {

	@Bean
	FilterRegistrationBean<HeaderPrincipalFilter> testPrincipal() {
		return HeaderPrincipalFilter.registration();
	}

}
