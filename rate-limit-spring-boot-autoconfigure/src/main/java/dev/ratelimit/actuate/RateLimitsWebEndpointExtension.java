package dev.ratelimit.actuate;

import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The {@link RateLimitsEndpoint} over HTTP, with the reason for a {@code 400} in the
 * response body: an operator who names an unknown tier or a malformed identity learns
 * what to fix, where Boot's error page would only say "Bad Request" (it leaves exception
 * messages out by default).
 *
 * @author rate-limit-spring-boot
 */
@EndpointWebExtension(endpoint = RateLimitsEndpoint.class)
public final class RateLimitsWebEndpointExtension {

	private static final Log logger = LogFactory.getLog(RateLimitsWebEndpointExtension.class);

	private final RateLimitsEndpoint endpoint;

	public RateLimitsWebEndpointExtension(RateLimitsEndpoint endpoint) {
		this.endpoint = endpoint;
	}

	/**
	 * One caller's usage (see {@link RateLimitsEndpoint#caller(String, String)}).
	 * @param identity the caller
	 * @param tier the caller's own tier, if known
	 * @return the usage, or a bad request with its reason
	 */
	@ReadOperation
	public WebEndpointResponse<OperationResponseBody> caller(@Selector String identity, @Nullable String tier) {
		return respond(() -> this.endpoint.caller(identity, tier));
	}

	/**
	 * Override a caller's limits (see
	 * {@link RateLimitsEndpoint#override(String, String, Double, String, Boolean)}).
	 * @param identity the caller
	 * @param tier the tier to put the caller on
	 * @param multiplier the factor to multiply the caller's limits by
	 * @param expiresIn how long the override lasts
	 * @param reset whether to reset the caller's counters
	 * @return the caller's usage under the override, or a bad request with its reason
	 */
	@WriteOperation
	public WebEndpointResponse<OperationResponseBody> override(@Selector String identity, @Nullable String tier,
			@Nullable Double multiplier, @Nullable String expiresIn, @Nullable Boolean reset) {
		return respond(() -> {
			if (expiresIn == null) {
				throw new InvalidEndpointRequestException("Give expiresIn, e.g. 10m", "Give expiresIn, e.g. 10m");
			}
			return this.endpoint.override(identity, tier, multiplier, expiresIn, reset);
		});
	}

	/**
	 * Give a caller a clean slate (see {@link RateLimitsEndpoint#reset(String)}).
	 * @param identity the caller
	 * @return what was reset, or a bad request with its reason
	 */
	@DeleteOperation
	public WebEndpointResponse<OperationResponseBody> reset(@Selector String identity) {
		return respond(() -> this.endpoint.reset(identity));
	}

	private static WebEndpointResponse<OperationResponseBody> respond(Supplier<OperationResponseBody> operation) {
		try {
			return new WebEndpointResponse<>(operation.get());
		}
		catch (InvalidEndpointRequestException ex) {
			return new WebEndpointResponse<>(
					new BadRequest(WebEndpointResponse.STATUS_BAD_REQUEST, "Bad Request", ex.getReason()),
					WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		catch (RuntimeException ex) {
			// Reads fall back with the limiter; writes need Redis itself. Say so rather
			// than a 500.
			logger.warn("A ratelimits endpoint operation failed: " + ex);
			return new WebEndpointResponse<>(new BadRequest(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE,
					"Service Unavailable", "The rate limit backend could not complete the operation ("
							+ ex.getClass().getSimpleName() + "); try again when it is back"),
					WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
		}
	}

	/**
	 * The body of a request that failed, shaped like Boot's error responses.
	 *
	 * @param status the status, 400 or 503
	 * @param error the reason phrase
	 * @param message what is wrong with the request
	 */
	public record BadRequest(int status, String error, String message) implements OperationResponseBody {

	}

}
