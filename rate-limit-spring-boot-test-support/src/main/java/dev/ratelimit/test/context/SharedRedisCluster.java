package dev.ratelimit.test.context;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.ratelimit.test.RedisServers;

import org.springframework.context.annotation.Import;

/**
 * Connects a Spring test's application context to the {@link RedisServers#sharedCluster()
 * shared Redis Cluster}, through {@link SharedRedisClusterConfiguration connection
 * details} rather than {@code spring.data.redis.cluster.*} properties:
 *
 * <pre class="code">
 * &#64;SpringBootTest(properties = "rate-limit.key-prefix=my-test-${random.uuid}")
 * &#64;SharedRedisCluster
 * class MyClusterIntegrationTests {
 * }
 * </pre>
 *
 * Use it instead of {@link SharedRedis @SharedRedis}, not with it: a context has one
 * Redis.
 *
 * @author rate-limit-spring-boot
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Import(SharedRedisClusterConfiguration.class)
public @interface SharedRedisCluster {

}
