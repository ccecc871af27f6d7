package dev.ratelimit.actuate;

import java.util.ArrayList;
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
 * The counters form a binary min-heap indexed by key, so adding is O(log capacity). Not
 * thread safe: callers lock.
 *
 * @author rate-limit-spring-boot
 */
final class HeavyHitters {

	private final int capacity;

	private final String[] keys;

	private final String[] tiers;

	private final long[] counts;

	private final long[] errors;

	private final Map<String, Integer> positions;

	private int size;

	private boolean evicted;

	HeavyHitters(int capacity) {
		if (capacity < 1) {
			throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
		}
		this.capacity = capacity;
		this.keys = new String[capacity];
		this.tiers = new String[capacity];
		this.counts = new long[capacity];
		this.errors = new long[capacity];
		this.positions = new HashMap<>(capacity * 2);
	}

	/**
	 * Count a key.
	 * @param key the key
	 * @param tier the tier it was last seen on, kept with its counter
	 * @param weight how much to count, at least 1
	 */
	void add(String key, String tier, long weight) {
		Integer position = this.positions.get(key);
		int index;
		if (position != null) {
			index = position;
			this.counts[index] += weight;
		}
		else if (this.size < this.capacity) {
			index = this.size++;
			this.keys[index] = key;
			this.counts[index] = weight;
			this.errors[index] = 0;
			this.positions.put(key, index);
			index = siftUp(index);
		}
		else {
			// Take over the smallest counter: the new key may have been seen up to that
			// many times before, while it was not counted.
			index = 0;
			this.positions.remove(this.keys[0]);
			this.keys[0] = key;
			this.errors[0] = this.counts[0];
			this.counts[0] += weight;
			this.positions.put(key, 0);
			this.evicted = true;
		}
		this.tiers[index] = tier;
		siftDown(index);
	}

	/**
	 * Forget every key.
	 */
	void clear() {
		this.positions.clear();
		for (int i = 0; i < this.size; i++) {
			this.keys[i] = null;
			this.tiers[i] = null;
		}
		this.size = 0;
		this.evicted = false;
	}

	/**
	 * The most any count may be off by: the smallest count once some key lost its
	 * counter, else zero (every count is exact).
	 * @return the error bound
	 */
	long errorBound() {
		return (this.evicted && this.size > 0) ? this.counts[0] : 0;
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
			entries.add(new Entry(this.keys[i], this.tiers[i], this.counts[i], this.errors[i]));
		}
		return entries;
	}

	private int siftUp(int index) {
		while (index > 0) {
			int parent = (index - 1) / 2;
			if (this.counts[parent] <= this.counts[index]) {
				break;
			}
			swap(index, parent);
			index = parent;
		}
		return index;
	}

	private void siftDown(int index) {
		while (true) {
			int smallest = index;
			int left = 2 * index + 1;
			int right = left + 1;
			if (left < this.size && this.counts[left] < this.counts[smallest]) {
				smallest = left;
			}
			if (right < this.size && this.counts[right] < this.counts[smallest]) {
				smallest = right;
			}
			if (smallest == index) {
				return;
			}
			swap(index, smallest);
			index = smallest;
		}
	}

	private void swap(int i, int j) {
		String key = this.keys[i];
		String tier = this.tiers[i];
		long count = this.counts[i];
		long error = this.errors[i];
		this.keys[i] = this.keys[j];
		this.tiers[i] = this.tiers[j];
		this.counts[i] = this.counts[j];
		this.errors[i] = this.errors[j];
		this.keys[j] = key;
		this.tiers[j] = tier;
		this.counts[j] = count;
		this.errors[j] = error;
		this.positions.put(this.keys[i], i);
		this.positions.put(this.keys[j], j);
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
