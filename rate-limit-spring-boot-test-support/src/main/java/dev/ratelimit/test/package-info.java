/**
 * Support for tests and demos that need a real Redis server.
 */
@NullMarked
package dev.ratelimit.test;

import org.jspecify.annotations.NullMarked;
