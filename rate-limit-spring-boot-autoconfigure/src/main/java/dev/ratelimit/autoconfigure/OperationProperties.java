package dev.ratelimit.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.ratelimit.policy.KeyType;

/**
 * An operation: a named group of requests that share limits.
 *
 * @author rate-limit-spring-boot
 */
public class OperationProperties {

	/**
	 * Requests of this operation, as "METHOD /path/pattern" or "/path/pattern" (any
	 * method). Patterns use Spring's PathPattern syntax.
	 */
	private List<String> match = new ArrayList<>();

	/**
	 * Whose budget a request of this operation is charged to.
	 */
	private KeyType key = KeyType.IDENTITY;

	/**
	 * Limits for every tier that does not list its own for this operation.
	 */
	private List<LimitProperties> limits = new ArrayList<>();

	/**
	 * Units of quota one request of this operation consumes.
	 */
	private long cost = 1;

	public List<String> getMatch() {
		return this.match;
	}

	public void setMatch(List<String> match) {
		this.match = match;
	}

	public KeyType getKey() {
		return this.key;
	}

	public void setKey(KeyType key) {
		this.key = key;
	}

	public List<LimitProperties> getLimits() {
		return this.limits;
	}

	public void setLimits(List<LimitProperties> limits) {
		this.limits = limits;
	}

	public long getCost() {
		return this.cost;
	}

	public void setCost(long cost) {
		this.cost = cost;
	}

}
