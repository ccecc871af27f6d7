package dev.ratelimit.policy.dynamic;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The default {@link LoadSignal}: the CPU load of this JVM process, as the platform's
 * {@code com.sun.management.OperatingSystemMXBean} reports it; unknown ({@code NaN}) on a
 * JVM without it.
 *
 * @author rate-limit-spring-boot
 */
public final class ProcessCpuLoadSignal implements LoadSignal {

	private final OperatingSystemMXBean system = ManagementFactory.getOperatingSystemMXBean();

	@Override
	public double load() {
		if (this.system instanceof com.sun.management.OperatingSystemMXBean platform) {
			double load = platform.getProcessCpuLoad();
			// Negative: not available (yet).
			return (load >= 0) ? load : Double.NaN;
		}
		return Double.NaN;
	}

}
