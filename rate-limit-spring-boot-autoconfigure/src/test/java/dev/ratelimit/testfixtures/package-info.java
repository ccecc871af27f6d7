/**
 * Fixtures shared by the integration tests: a test API and a tier resolver.
 */
@NullMarked
package dev.ratelimit.testfixtures;

import org.jspecify.annotations.NullMarked;
