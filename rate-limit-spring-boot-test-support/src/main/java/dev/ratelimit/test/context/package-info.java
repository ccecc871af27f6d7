/**
 * Spring test support for the shared Redis server and the shared Redis Cluster:
 * connection details, test configurations, the
 * {@link dev.ratelimit.test.context.SharedRedis @SharedRedis} and
 * {@link dev.ratelimit.test.context.SharedRedisCluster @SharedRedisCluster} annotations,
 * and started Lettuce connection factories. Needs Spring Boot's data-redis and test
 * modules on the class path.
 */
@NullMarked
package dev.ratelimit.test.context;

import org.jspecify.annotations.NullMarked;
