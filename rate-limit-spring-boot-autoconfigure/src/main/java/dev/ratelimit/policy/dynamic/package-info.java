/**
 * Dynamic limits: multipliers of a caller's limits by time of day, this instance's load,
 * the caller's reputation and its country, computed per request from signals that are
 * sampled in the background and read from memory.
 */
@NullMarked
package dev.ratelimit.policy.dynamic;

import org.jspecify.annotations.NullMarked;
