package dev.ratelimit.actuate;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;

/**
 * One value per tier and operation, created on first use. A lookup of an existing value
 * is two map reads and no allocation, for the per-request path of the listeners. The
 * tiers and operations come from the configured policy, so the map is bounded by the
 * configuration.
 *
 * @param <T> the type of the values
 * @author rate-limit-spring-boot
 */
final class PerTierOperation<T> {

	private final ConcurrentMap<String, ConcurrentMap<String, T>> values = new ConcurrentHashMap<>();

	private final BiFunction<String, String, T> factory;

	/**
	 * Create a map.
	 * @param factory creates the value of a tier and operation
	 */
	PerTierOperation(BiFunction<String, String, T> factory) {
		this.factory = factory;
	}

	/**
	 * The value of a tier and operation, created when there is none yet.
	 * @param tier the tier name
	 * @param operation the operation name
	 * @return the value
	 */
	T get(String tier, String operation) {
		ConcurrentMap<String, T> byOperation = this.values.get(tier);
		if (byOperation == null) {
			byOperation = this.values.computeIfAbsent(tier, (key) -> new ConcurrentHashMap<>());
		}
		T value = byOperation.get(operation);
		if (value == null) {
			value = byOperation.computeIfAbsent(operation, (key) -> this.factory.apply(tier, operation));
		}
		return value;
	}

	/**
	 * Visit every value created so far.
	 * @param visitor called with the tier, the operation and the value
	 */
	void forEach(Visitor<T> visitor) {
		this.values.forEach((tier, byOperation) -> byOperation
			.forEach((operation, value) -> visitor.visit(tier, operation, value)));
	}

	/**
	 * Receives the values of a {@link PerTierOperation}.
	 *
	 * @param <T> the type of the values
	 */
	@FunctionalInterface
	interface Visitor<T> {

		void visit(String tier, String operation, T value);

	}

}
