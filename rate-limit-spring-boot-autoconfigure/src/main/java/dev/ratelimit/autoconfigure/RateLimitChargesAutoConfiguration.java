package dev.ratelimit.autoconfigure;

import dev.ratelimit.web.RateLimitCharges;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Auto-configuration of {@link RateLimitCharges}, through which handlers report what a
 * request really cost. Unlike the rest of the starter it does not depend on
 * {@code rate-limit.enabled}: with rate limiting switched off no request has a budget, so
 * every charge is accepted and charges nothing, and an application that reports its costs
 * starts and runs unchanged.
 *
 * @author rate-limit-spring-boot
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
public final class RateLimitChargesAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RateLimitCharges rateLimitCharges() {
		return new RateLimitCharges();
	}

}
