/**
 * Turns configuration and annotations into a validated, immutable rate limit policy at
 * startup.
 */
@NullMarked
package dev.ratelimit.policy;

import org.jspecify.annotations.NullMarked;
