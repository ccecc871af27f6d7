/**
 * Spring test support for the shared Redis server: connection details, a test
 * configuration and the {@link dev.ratelimit.test.context.SharedRedis @SharedRedis}
 * annotation. Needs Spring Boot's data-redis and test modules on the class path.
 */
@NullMarked
package dev.ratelimit.test.context;

import org.jspecify.annotations.NullMarked;
