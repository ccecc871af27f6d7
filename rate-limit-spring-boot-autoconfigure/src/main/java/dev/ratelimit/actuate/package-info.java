/**
 * What operators see of rate limiting: the {@code ratelimits} actuator endpoint and the
 * traffic it reports, the health contributor and the Micrometer metrics.
 */
@NullMarked
package dev.ratelimit.actuate;

import org.jspecify.annotations.NullMarked;
