/**
 * What operators do to callers' limits, whatever exposes it: read a caller's usage,
 * override its limits for a while, reset it. Sits below {@code actuate}, whose endpoint
 * only maps it to HTTP and JSON.
 */
@NullMarked
package dev.ratelimit.admin;

import org.jspecify.annotations.NullMarked;
