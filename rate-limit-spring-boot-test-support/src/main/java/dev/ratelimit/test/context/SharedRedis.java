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
 * Connects a Spring test's application context to the {@link RedisServers#shared() shared
 * Redis server}, through {@link SharedRedisConfiguration connection details} rather than
 * {@code spring.data.redis.*} properties:
 *
 * <pre class="code">
 * &#64;SpringBootTest(properties = "rate-limit.key-prefix=my-test-${random.uuid}")
 * &#64;SharedRedis
 * class MyIntegrationTests {
 * }
 * </pre>
 *
 * A test that stops or freezes Redis must start an
 * {@link dev.ratelimit.test.EmbeddedRedisServer} of its own instead (it may declare a
 * {@link RedisServerConnectionDetails} bean for it).
 *
 * @author rate-limit-spring-boot
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Import(SharedRedisConfiguration.class)
public @interface SharedRedis {

}
