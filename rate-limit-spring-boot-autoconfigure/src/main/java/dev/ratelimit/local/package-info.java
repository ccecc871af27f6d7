/**
 * An in-memory {@link dev.ratelimit.core.RateLimiter} with exactly the semantics of the
 * Redis one: for a single instance, for tests, and as the fallback when Redis is
 * unavailable.
 */
@NullMarked
package dev.ratelimit.local;

import org.jspecify.annotations.NullMarked;
