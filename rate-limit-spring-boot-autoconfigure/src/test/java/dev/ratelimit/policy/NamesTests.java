package dev.ratelimit.policy;

import java.util.Locale;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Names}: tiers and operations meet whatever their case and punctuation.
 *
 * @author rate-limit-spring-boot
 */
class NamesTests {

	@Test
	void underscoreIsDroppedAsSpringsBinderDropsItFromMapKeys() {
		assertThat(Names.canonical("ai_generation")).isEqualTo("aigeneration");
		assertThat(Names.canonical("__ai__generation__")).isEqualTo("aigeneration");
	}

	@Test
	void dashIsDropped() {
		assertThat(Names.canonical("ai-generation")).isEqualTo("aigeneration");
	}

	@Test
	void caseIsIgnored() {
		assertThat(Names.canonical("AiGeneration")).isEqualTo("aigeneration");
		assertThat(Names.canonical("AI_GENERATION")).isEqualTo("aigeneration");
	}

	@Test
	void spellingsOfOneNameMeet() {
		assertThat(Names.canonical("ai_generation")).isEqualTo(Names.canonical("ai-generation"))
			.isEqualTo(Names.canonical("AiGeneration"))
			.isEqualTo(Names.canonical("aigeneration"));
	}

	@Test
	void digitsAreKeptInPlace() {
		assertThat(Names.canonical("tier_2")).isEqualTo("tier2");
		assertThat(Names.canonical("v2-export-10")).isEqualTo("v2export10");
		assertThat(Names.canonical("2fa_login")).isEqualTo("2falogin");
	}

	@Test
	void digitsStillTellNamesApart() {
		assertThat(Names.canonical("tier_1")).isNotEqualTo(Names.canonical("tier_12"));
	}

	@Test
	void everyOtherPunctuationAndWhitespaceIsDropped() {
		assertThat(Names.canonical(" ai.generation/v2 ")).isEqualTo("aigenerationv2");
		assertThat(Names.canonical("ai:generation@[x]")).isEqualTo("aigenerationx");
	}

	@Test
	void nonAsciiLettersAreKeptAndLowerCased() {
		assertThat(Names.canonical("Größe_Plan")).isEqualTo("größeplan");
		assertThat(Names.canonical("ÉTÉ-2025")).isEqualTo("été2025");
		assertThat(Names.canonical("Премиум")).isEqualTo("премиум");
		assertThat(Names.canonical("生成_API")).isEqualTo("生成api");
	}

	@Test
	void lowerCasingDoesNotDependOnTheDefaultLocale() {
		Locale defaultLocale = Locale.getDefault();
		Locale.setDefault(Locale.forLanguageTag("tr"));
		try {
			// Turkish lower-cases "I" to a dotless 'ı'; the canonical form must not.
			assertThat(Names.canonical("IMAGES")).isEqualTo("images");
		}
		finally {
			Locale.setDefault(defaultLocale);
		}
	}

	@Test
	void nameOfPunctuationOnlyIsEmpty() {
		assertThat(Names.canonical("_-_")).isEmpty();
		assertThat(Names.canonical("")).isEmpty();
	}

}
