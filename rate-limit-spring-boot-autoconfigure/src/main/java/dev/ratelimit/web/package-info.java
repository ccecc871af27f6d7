/**
 * The servlet integration: the filter, caller identity and tier, @RateLimited, headers
 * and the 429 problem body.
 */
@NullMarked
package dev.ratelimit.web;

import org.jspecify.annotations.NullMarked;
