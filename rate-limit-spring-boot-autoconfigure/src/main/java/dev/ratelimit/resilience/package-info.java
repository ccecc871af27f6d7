/**
 * Keeps rate limiting available when its backend is slow or down: a circuit breaker and a
 * time limit around the primary limiter, and the failure mode that decides in its place.
 */
@NullMarked
package dev.ratelimit.resilience;

import org.jspecify.annotations.NullMarked;
