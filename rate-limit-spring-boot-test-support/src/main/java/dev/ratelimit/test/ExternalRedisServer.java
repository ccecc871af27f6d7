package dev.ratelimit.test;

import java.net.URI;

/**
 * A Redis server that someone else runs, named by a {@code redis://host:port} URL. Its
 * lifecycle cannot be controlled from here.
 *
 * @author rate-limit-spring-boot
 */
final class ExternalRedisServer implements RedisServer {

	private final String host;

	private final int port;

	ExternalRedisServer(String url) {
		URI uri = URI.create(url.trim());
		if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
			throw new IllegalArgumentException("Expected a URL like redis://localhost:6379 but got '" + url + "'");
		}
		this.host = uri.getHost();
		this.port = (uri.getPort() != -1) ? uri.getPort() : 6379;
	}

	@Override
	public String host() {
		return this.host;
	}

	@Override
	public int port() {
		return this.port;
	}

	@Override
	public String toString() {
		return "ExternalRedisServer[" + url() + "]";
	}

}
