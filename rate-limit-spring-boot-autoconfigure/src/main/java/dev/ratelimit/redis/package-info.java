/**
 * The Redis backend: every check is one atomic Lua script over all limits of one
 * identity.
 */
@NullMarked
package dev.ratelimit.redis;

import org.jspecify.annotations.NullMarked;
