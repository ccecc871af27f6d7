package dev.ratelimit.test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * Sends requests without a body to an application on this machine, as the integration
 * tests do.
 *
 * @author rate-limit-spring-boot
 */
public final class LocalHttp {

	private static final HttpClient CLIENT = HttpClient.newHttpClient();

	private LocalHttp() {
	}

	/**
	 * Send a request.
	 * @param host the host, e.g. {@code localhost} or {@code 127.0.0.1}
	 * @param port the port
	 * @param method the method
	 * @param path the path and query
	 * @param headers the headers
	 * @return the response
	 * @throws IOException when the request fails
	 * @throws InterruptedException when interrupted while waiting
	 */
	public static HttpResponse<String> send(String host, int port, String method, String path,
			Map<String, String> headers) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
			.method(method, HttpRequest.BodyPublishers.noBody());
		headers.forEach(request::header);
		return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
