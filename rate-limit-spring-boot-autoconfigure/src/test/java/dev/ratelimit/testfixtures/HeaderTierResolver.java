package dev.ratelimit.testfixtures;

import dev.ratelimit.web.Identity;
import dev.ratelimit.web.TierResolver;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Takes the caller's tier from the {@value #HEADER} request header, so that a test can
 * put a request on any tier. Test only: a real resolver reads authenticated information,
 * never a header the client chooses. Import it into a test's application to replace the
 * default resolver.
 *
 * @author rate-limit-spring-boot
 */
public final class HeaderTierResolver implements TierResolver {

	/**
	 * The request header that names the tier.
	 */
	public static final String HEADER = "X-Test-Tier";

	@Override
	public @Nullable String resolveTier(HttpServletRequest request, Identity identity) {
		return request.getHeader(HEADER);
	}

}
