/**
 * The operator's view of rate limiting: the {@code ratelimits} actuator endpoint and the traffic
 * it reports.
 */
@NullMarked
package dev.ratelimit.actuate;

import org.jspecify.annotations.NullMarked;
