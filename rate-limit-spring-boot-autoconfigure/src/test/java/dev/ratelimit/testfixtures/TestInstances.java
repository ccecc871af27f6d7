package dev.ratelimit.testfixtures;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts instances of a test application on random ports, as tests that need several
 * instances of one application on one Redis (a fleet) do: one way to start them, so that
 * every such test differs only in its properties.
 *
 * @author rate-limit-spring-boot
 */
public final class TestInstances {

	private TestInstances() {
	}

	/**
	 * Start an instance: a servlet application on a random port, without banner or
	 * startup log.
	 * @param application the application's configuration class
	 * @param properties the instance's properties
	 * @return the running instance
	 */
	public static ConfigurableApplicationContext start(Class<?> application, String... properties) {
		List<String> all = new ArrayList<>(List.of(properties));
		all.add("server.port=0");
		return new SpringApplicationBuilder(application).web(WebApplicationType.SERVLET)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(all.toArray(String[]::new))
			.run();
	}

	/**
	 * The port an instance serves on.
	 * @param instance the instance
	 * @return its port
	 */
	public static int port(ConfigurableApplicationContext instance) {
		return ((WebServerApplicationContext) instance).getWebServer().getPort();
	}

}
