package dev.ratelimit.policy;

import java.util.Locale;

/**
 * Canonical names of tiers and operations. Spring's binder drops characters such as
 * {@code _} from unbracketed map keys ({@code ai_generation} binds as
 * {@code aigeneration}), so names are compared in a form that ignores case and every
 * character other than letters and digits: {@code ai_generation}, {@code ai-generation}
 * and {@code AiGeneration} are one operation.
 *
 * @author rate-limit-spring-boot
 */
public final class Names {

	private Names() {
	}

	/**
	 * The canonical form of a tier or operation name.
	 * @param name the name as written
	 * @return lower-case letters and digits only
	 */
	public static String canonical(String name) {
		StringBuilder canonical = new StringBuilder(name.length());
		for (int i = 0; i < name.length(); i++) {
			char ch = name.charAt(i);
			if (Character.isLetterOrDigit(ch)) {
				canonical.append(ch);
			}
		}
		return canonical.toString().toLowerCase(Locale.ROOT);
	}

}
