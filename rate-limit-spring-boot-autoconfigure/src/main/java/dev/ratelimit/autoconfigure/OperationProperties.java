package dev.ratelimit.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ratelimit.policy.KeyType;
import org.jspecify.annotations.Nullable;

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

	/**
	 * Limits of all callers together, checked on top of each caller's limits (also for
	 * unlimited tiers): a request is admitted only when both admit it.
	 */
	private final Global global = new Global();

	/**
	 * Budgets of each caller by name: a decimal amount per window, e.g. "5.00/1d" (1d and
	 * 1mo are calendar windows in rate-limit.budgets.zone; durations such as 1h are
	 * aligned like fixed windows). At most six decimals.
	 */
	private Map<String, String> budgets = new LinkedHashMap<>();

	/**
	 * Whether the operation is in shadow mode: its requests are checked and counted as
	 * usual, but one its limits deny is let through (counted with outcome "shadowed")
	 * rather than answered 429.
	 */
	private boolean shadow;

	public boolean isShadow() {
		return this.shadow;
	}

	public void setShadow(boolean shadow) {
		this.shadow = shadow;
	}

	public Map<String, String> getBudgets() {
		return this.budgets;
	}

	public void setBudgets(Map<String, String> budgets) {
		this.budgets = budgets;
	}

	public Global getGlobal() {
		return this.global;
	}

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

	/**
	 * The limits of all callers of an operation together.
	 */
	public static class Global {

		/**
		 * Rate limits of all callers together, e.g. "1000/1h".
		 */
		private List<LimitProperties> limits = new ArrayList<>();

		/**
		 * Requests of the operation in flight at once, all callers together.
		 */
		private @Nullable Integer concurrent;

		/**
		 * Budgets of all callers together by name, e.g. "100.00/1d".
		 */
		private Map<String, String> budgets = new LinkedHashMap<>();

		/**
		 * Whether the operation is in shadow mode: its requests are checked and counted
		 * as usual, but one its limits deny is let through (counted with outcome
		 * "shadowed") rather than answered 429.
		 */
		private boolean shadow;

		public boolean isShadow() {
			return this.shadow;
		}

		public void setShadow(boolean shadow) {
			this.shadow = shadow;
		}

		public Map<String, String> getBudgets() {
			return this.budgets;
		}

		public void setBudgets(Map<String, String> budgets) {
			this.budgets = budgets;
		}

		public List<LimitProperties> getLimits() {
			return this.limits;
		}

		public void setLimits(List<LimitProperties> limits) {
			this.limits = limits;
		}

		public @Nullable Integer getConcurrent() {
			return this.concurrent;
		}

		public void setConcurrent(@Nullable Integer concurrent) {
			this.concurrent = concurrent;
		}

	}

}
