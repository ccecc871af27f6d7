package dev.ratelimit.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when the number of instances that share the limits is not configured
 * ({@code rate-limit.fallback.instances} unset), so that the instances count themselves.
 *
 * @author rate-limit-spring-boot
 */
final class OnAutomaticFleetSizeCondition extends SpringBootCondition {

	static final String PROPERTY = "rate-limit.fallback.instances";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("Automatic fleet size");
		String instances = context.getEnvironment().getProperty(PROPERTY);
		if (StringUtils.hasText(instances)) {
			return ConditionOutcome.noMatch(message.because(PROPERTY + " is set to " + instances));
		}
		return ConditionOutcome.match(message.because(PROPERTY + " is not set"));
	}

}
