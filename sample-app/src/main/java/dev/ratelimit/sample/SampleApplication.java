package dev.ratelimit.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;

/**
 * A paid AI-generation API whose plans are enforced by rate-limit-spring-boot-starter.
 *
 * @author rate-limit-spring-boot
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		application.addListeners(new EmbeddedRedisStarter());
		application.run(args);
	}

}
