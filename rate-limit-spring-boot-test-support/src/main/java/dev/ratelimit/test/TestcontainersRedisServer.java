package dev.ratelimit.test;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A Redis server in a Docker container. Only loaded when Testcontainers is on the class
 * path. Suspending pauses the container (the cgroup freezer: the same effect as SIGSTOP);
 * stopping is not supported because a restarted container may get a different host port.
 *
 * @author rate-limit-spring-boot
 */
final class TestcontainersRedisServer implements RedisServer {

	private static final DockerImageName IMAGE = DockerImageName.parse("redis:7-alpine");

	private final GenericContainer<?> container;

	private TestcontainersRedisServer(GenericContainer<?> container) {
		this.container = container;
	}

	/**
	 * Whether Docker can be used. Never throws: any detection failure means "no".
	 * @return {@code true} when Docker is available
	 */
	static boolean isDockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			return false;
		}
	}

	@SuppressWarnings("resource")
	static TestcontainersRedisServer launch() {
		GenericContainer<?> container = new GenericContainer<>(IMAGE).withExposedPorts(6379)
			.withCommand("redis-server", "--save", "", "--appendonly", "no");
		container.start();
		return new TestcontainersRedisServer(container);
	}

	@Override
	public String host() {
		return this.container.getHost();
	}

	@Override
	public int port() {
		return this.container.getMappedPort(6379);
	}

	@Override
	public boolean supportsSuspend() {
		return true;
	}

	@Override
	public void suspend() {
		DockerClientFactory.instance().client().pauseContainerCmd(this.container.getContainerId()).exec();
	}

	@Override
	public void resume() {
		DockerClientFactory.instance().client().unpauseContainerCmd(this.container.getContainerId()).exec();
	}

	@Override
	public String toString() {
		return "TestcontainersRedisServer[" + url() + ", " + IMAGE + "]";
	}

}
