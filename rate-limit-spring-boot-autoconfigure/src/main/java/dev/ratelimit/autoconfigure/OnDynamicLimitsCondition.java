package dev.ratelimit.autoconfigure;

import java.util.function.Predicate;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code rate-limit.dynamic} configures some part of dynamic limits (the
 * part a subclass names), so that nothing of them exists, nor costs a request anything,
 * unless configured.
 *
 * @author rate-limit-spring-boot
 */
abstract class OnDynamicLimitsCondition extends SpringBootCondition {

	private static final String PREFIX = "rate-limit.dynamic";

	private final String part;

	private final Predicate<DynamicProperties> configured;

	OnDynamicLimitsCondition(String part, Predicate<DynamicProperties> configured) {
		this.part = part;
		this.configured = configured;
	}

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("Dynamic limits (" + this.part + ")");
		boolean match = Binder.get(context.getEnvironment())
			.bind(PREFIX, DynamicProperties.class)
			.map(this.configured::test)
			.orElse(false);
		return match ? ConditionOutcome.match(message.because(this.part + " is configured"))
				: ConditionOutcome.noMatch(message.because(this.part + " is not configured"));
	}

	/**
	 * Some multiplier is configured.
	 */
	static final class Any extends OnDynamicLimitsCondition {

		Any() {
			super(PREFIX, DynamicProperties::isConfigured);
		}

	}

	/**
	 * Load thresholds are configured.
	 */
	static final class Load extends OnDynamicLimitsCondition {

		Load() {
			super(PREFIX + ".load", (properties) -> properties.getLoad().isConfigured());
		}

	}

}
