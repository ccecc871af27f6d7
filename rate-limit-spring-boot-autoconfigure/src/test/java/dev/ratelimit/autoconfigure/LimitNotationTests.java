package dev.ratelimit.autoconfigure;

import java.time.Duration;

import dev.ratelimit.core.Algorithm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LimitNotationTests {

	@Test
	void parsesLimitAndWindow() {
		LimitProperties limit = LimitNotation.parse(" 5/1h ");
		assertThat(limit.getLimit()).isEqualTo(5);
		assertThat(limit.getWindow()).isEqualTo(Duration.ofHours(1));
		assertThat(limit.getAlgorithm()).isEqualTo(Algorithm.TOKEN_BUCKET);
	}

	@Test
	void parsesWindowWithoutNumberAndAlgorithm() {
		LimitProperties limit = LimitNotation.parse("100/m sliding-log");
		assertThat(limit.getWindow()).isEqualTo(Duration.ofMinutes(1));
		assertThat(limit.getAlgorithm()).isEqualTo(Algorithm.SLIDING_LOG);
		assertThat(LimitNotation.parse("10/30s fixed-window").getWindow()).isEqualTo(Duration.ofSeconds(30));
		assertThat(LimitNotation.parse("20/1d").getWindow()).isEqualTo(Duration.ofDays(1));
	}

	@Test
	void rejectsMalformedNotation() {
		assertThatIllegalArgumentException().isThrownBy(() -> LimitNotation.parse("5"))
			.withMessageContaining("expected <limit>/<window>");
		assertThatIllegalArgumentException().isThrownBy(() -> LimitNotation.parse("x/1h"))
			.withMessageContaining("'x' is not a whole number");
		assertThatIllegalArgumentException().isThrownBy(() -> LimitNotation.parse("5/1x"))
			.withMessageContaining("the window '1x'");
		assertThatIllegalArgumentException().isThrownBy(() -> LimitNotation.parse("5/1h leaky"))
			.withMessageContaining("unknown algorithm 'leaky'");
	}

}
