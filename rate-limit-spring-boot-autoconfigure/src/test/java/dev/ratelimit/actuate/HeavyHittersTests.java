package dev.ratelimit.actuate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HeavyHittersTests {

	@Test
	void countsExactlyWhileThereAreFewerKeysThanCounters() {
		HeavyHitters sketch = new HeavyHitters(4);
		add(sketch, "a", 5);
		add(sketch, "b", 3);
		add(sketch, "c", 1);
		assertThat(counts(sketch)).containsExactlyInAnyOrderEntriesOf(Map.of("a", 5L, "b", 3L, "c", 1L));
		assertThat(sketch.errorBound()).isZero();
		assertThat(sketch.entries()).allSatisfy((entry) -> assertThat(entry.error()).isZero());
	}

	@Test
	void newKeyTakesOverTheSmallestCounterAndInheritsItsCountAsError() {
		HeavyHitters sketch = new HeavyHitters(2);
		add(sketch, "a", 5);
		add(sketch, "b", 2);
		sketch.add("c", "pro", 1);
		assertThat(sketch.size()).isEqualTo(2);
		HeavyHitters.Entry c = sketch.entries()
			.stream()
			.filter((entry) -> entry.key().equals("c"))
			.findFirst()
			.orElseThrow();
		assertThat(c.count()).isEqualTo(3);
		assertThat(c.error()).isEqualTo(2);
		assertThat(c.tier()).isEqualTo("pro");
		assertThat(counts(sketch)).containsEntry("a", 5L).doesNotContainKey("b");
		assertThat(sketch.errorBound()).isEqualTo(3);
	}

	@Test
	void neverHoldsMoreThanItsCapacityAndKeepsTheHeavyHittersOfALongTail() {
		int capacity = 100;
		HeavyHitters sketch = new HeavyHitters(capacity);
		Map<String, Long> exact = new HashMap<>();
		Random random = new Random(42);
		for (int i = 0; i < 200_000; i++) {
			// Ten heavy callers with 30% of the traffic, and 100 000 callers sharing the
			// rest.
			String key = (random.nextInt(10) < 3) ? "heavy-" + random.nextInt(10) : "tail-" + random.nextInt(100_000);
			sketch.add(key, "free", 1);
			exact.merge(key, 1L, Long::sum);
			assertThat(sketch.size()).isLessThanOrEqualTo(capacity);
		}
		Map<String, Long> counted = counts(sketch);
		for (int i = 0; i < 10; i++) {
			String heavy = "heavy-" + i;
			assertThat(counted).containsKey(heavy);
			// Never under-counted, and over-counted by at most the error bound.
			assertThat(counted.get(heavy)).isBetween(exact.get(heavy), exact.get(heavy) + sketch.errorBound());
		}
		for (HeavyHitters.Entry entry : sketch.entries()) {
			assertThat(entry.count() - entry.error()).isLessThanOrEqualTo(exact.get(entry.key()));
			assertThat(entry.count()).isGreaterThanOrEqualTo(exact.get(entry.key()));
		}
	}

	@Test
	void alwaysEvictsTheSmallestCounterWhenEveryKeyIsNew() {
		// The load of the peer benchmark: many more callers than counters, round-robin,
		// so that every add takes over the smallest counter.
		HeavyHitters sketch = new HeavyHitters(100);
		Random random = new Random(7);
		for (int round = 0; round < 5; round++) {
			for (int caller = 0; caller < 1000; caller++) {
				sketch.add("caller-" + caller, "business", 1 + random.nextInt(3));
				long smallest = sketch.entries().stream().mapToLong(HeavyHitters.Entry::count).min().orElseThrow();
				if (round > 0) {
					assertThat(sketch.errorBound()).isEqualTo(smallest);
				}
			}
		}
		sketch.add("heavy", "pro", 1000);
		assertThat(counts(sketch).get("heavy")).isGreaterThanOrEqualTo(1000);
		assertThat(sketch.entries()).filteredOn((entry) -> entry.key().equals("heavy"))
			.singleElement()
			.satisfies((entry) -> assertThat(entry.tier()).isEqualTo("pro"));
		assertThat(sketch.size()).isEqualTo(100);
	}

	@Test
	void clearForgetsEverything() {
		HeavyHitters sketch = new HeavyHitters(1);
		add(sketch, "a", 2);
		add(sketch, "b", 1);
		sketch.clear();
		assertThat(sketch.size()).isZero();
		assertThat(sketch.errorBound()).isZero();
		add(sketch, "c", 1);
		assertThat(counts(sketch)).containsExactlyEntriesOf(Map.of("c", 1L));
	}

	@Test
	void capacityMustBePositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> new HeavyHitters(0));
	}

	private static void add(HeavyHitters sketch, String key, int times) {
		for (int i = 0; i < times; i++) {
			sketch.add(key, "free", 1);
		}
	}

	private static Map<String, Long> counts(HeavyHitters sketch) {
		Map<String, Long> counts = new HashMap<>();
		List<HeavyHitters.Entry> entries = sketch.entries();
		entries.forEach((entry) -> counts.put(entry.key(), entry.count()));
		return counts;
	}

}
