package dev.ratelimit.web;

import java.math.BigDecimal;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Reports the real cost of the current request to its budgets, charged once when the
 * response is complete (see {@link RequestCharge}): <pre class="code">
 * charges.charge("usd", price.multiply(BigDecimal.valueOf(tokens)));
 * </pre> On the request's own thread {@link #charge(String, BigDecimal)} finds the
 * request by itself. An asynchronous or streaming handler takes the request's handle with
 * {@link #current()} (or {@link #of(HttpServletRequest)}) before it leaves that thread,
 * and charges through it later.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitCharges {

	/**
	 * Charge an amount to a budget of the current request.
	 * @param budget the budget's name, e.g. {@code usd}
	 * @param amount the amount, not negative
	 * @throws IllegalArgumentException when the amount is negative or the request has no
	 * budget of that name
	 */
	public void charge(String budget, BigDecimal amount) {
		current().charge(budget, amount);
	}

	/**
	 * The charge of the request of the current thread.
	 * @return its handle, or one that charges nothing outside a request with budgets
	 */
	public RequestCharge current() {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		if (attributes instanceof ServletRequestAttributes servlet) {
			return of(servlet.getRequest());
		}
		return RequestCharge.none();
	}

	/**
	 * The charge of a request.
	 * @param request the request
	 * @return its handle, or one that charges nothing for a request without budgets
	 */
	public RequestCharge of(HttpServletRequest request) {
		Object charge = request.getAttribute(RequestCharge.ATTRIBUTE);
		return (charge instanceof RequestCharge requestCharge) ? requestCharge : RequestCharge.none();
	}

}
