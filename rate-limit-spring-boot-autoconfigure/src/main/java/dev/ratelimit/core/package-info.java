/**
 * The rate limiting model: what one request asks for and what the limiter decides. Pure
 * Java, free of Spring and Redis.
 */
@NullMarked
package dev.ratelimit.core;

import org.jspecify.annotations.NullMarked;
