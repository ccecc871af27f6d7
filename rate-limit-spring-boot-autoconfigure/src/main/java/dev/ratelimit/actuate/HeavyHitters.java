package dev.ratelimit.actuate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Space-Saving sketch (Metwally, Agrawal, El Abbadi, 2005): counts the most frequent
 * keys of a stream in a fixed number of counters, however many distinct keys the stream
 * has. A key not counted yet takes over the smallest counter and inherits its count as
 * its possible error, so counts never under-estimate a counted key, over-estimate it by
 * at most the smallest count, and every key more frequent than {@code total / capacity}
 * is always counted.
 * <p>
 * The counters form a binary min-heap, found by key through a map, so adding is O(log
 * capacity) with at most one map update (two when a key takes over a counter). Not thread
 * safe: callers lock.
 *
 * @author rate-limit-spring-boot
 */
final class HeavyHitters {

	private final int capacity;

	/**
	 * The counters as a min-heap by count. Each knows its place in the heap, so that
	 * moving one is two field writes, not a map update per step: when every key is new
	 * (many more callers than counters), each add evicts the root and sifts it down.
	 */
	private final Counter[] heap;

	private final Map<String, Counter> counters;

	private int size;

	private boolean evicted;

	HeavyHitters(int capacity) {
		if (capacity < 1) {
			throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
		}
		this.capacity = capacity;
		this.heap = new Counter[capacity];
		this.counters = new HashMap<>(capacity * 2);
	}

	/**
	 * Count a key.
	 * @param key the key
	 * @param tier the tier it was last seen on, kept with its counter
	 * @param weight how much to count, at least 1
	 */
	void add(String key, String tier, long weight) {
		Counter counter = this.counters.get(key);
		if (counter != null) {
			counter.count += weight;
		}
		else if (this.size < this.capacity) {
			counter = new Counter(key, this.size);
			counter.count = weight;
			this.heap[this.size++] = counter;
			this.counters.put(key, counter);
			siftUp(counter);
		}
		else {
			// Take over the smallest counter: the new key may have been seen up to that
			// many times before, while it was not counted.
			counter = this.heap[0];
			this.counters.remove(counter.key);
			counter.key = key;
			counter.error = counter.count;
			counter.count += weight;
			this.counters.put(key, counter);
			this.evicted = true;
		}
		counter.tier = tier;
		siftDown(counter);
	}

	/**
	 * Forget every key.
	 */
	void clear() {
		this.counters.clear();
		Arrays.fill(this.heap, 0, this.size, null);
		this.size = 0;
		this.evicted = false;
	}

	/**
	 * The most any count may be off by: the smallest count once some key lost its
	 * counter, else zero (every count is exact).
	 * @return the error bound
	 */
	long errorBound() {
		return (this.evicted && this.size > 0) ? this.heap[0].count : 0;
	}

	int size() {
		return this.size;
	}

	/**
	 * The counted keys, in no particular order.
	 * @return the entries
	 */
	List<Entry> entries() {
		List<Entry> entries = new ArrayList<>(this.size);
		for (int i = 0; i < this.size; i++) {
			Counter counter = this.heap[i];
			entries.add(new Entry(counter.key, counter.tier, counter.count, counter.error));
		}
		return entries;
	}

	private void siftUp(Counter counter) {
		while (counter.index > 0) {
			Counter parent = this.heap[(counter.index - 1) / 2];
			if (parent.count <= counter.count) {
				return;
			}
			swap(counter, parent);
		}
	}

	private void siftDown(Counter counter) {
		while (true) {
			Counter smallest = counter;
			int left = 2 * counter.index + 1;
			int right = left + 1;
			if (left < this.size && this.heap[left].count < smallest.count) {
				smallest = this.heap[left];
			}
			if (right < this.size && this.heap[right].count < smallest.count) {
				smallest = this.heap[right];
			}
			if (smallest == counter) {
				return;
			}
			swap(counter, smallest);
		}
	}

	private void swap(Counter a, Counter b) {
		int index = a.index;
		a.index = b.index;
		b.index = index;
		this.heap[a.index] = a;
		this.heap[b.index] = b;
	}

	/**
	 * One counter: the key it counts now and its place in the heap.
	 */
	private static final class Counter {

		private String key;

		private String tier = "";

		private long count;

		private long error;

		private int index;

		Counter(String key, int index) {
			this.key = key;
			this.index = index;
		}

	}

	/**
	 * One counted key.
	 *
	 * @param key the key
	 * @param tier the tier it was last seen on
	 * @param count its count, never less than the true count
	 * @param error how much of the count may be from keys counted before it took over the
	 * counter
	 */
	record Entry(String key, String tier, long count, long error) {
	}

}
