/**
 * What operators see of rate limiting: the actuator endpoint, the health contributor and the
 * Micrometer metrics.
 */
@NullMarked
package dev.ratelimit.actuate;

import org.jspecify.annotations.NullMarked;
