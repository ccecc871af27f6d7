package dev.ratelimit.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of the Redis protocol (RESP) to ask a server whether it is up, without a
 * client library on the class path.
 *
 * @author rate-limit-spring-boot
 */
final class Resp {

	private Resp() {
	}

	/**
	 * Send one command and return its reply: the first line ({@code +PONG},
	 * {@code -ERR …}, {@code :1}), or for a bulk string reply ({@code $<length>}) the
	 * string itself.
	 * @param host the host
	 * @param port the port
	 * @param timeoutMillis the connect and read timeout
	 * @param arguments the command and its arguments
	 * @return the first reply line
	 * @throws IOException when the server cannot be reached or does not answer in time
	 */
	static String command(String host, int port, int timeoutMillis, String... arguments) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), timeoutMillis);
			socket.setSoTimeout(timeoutMillis);
			StringBuilder request = new StringBuilder().append('*').append(arguments.length).append("\r\n");
			for (String argument : arguments) {
				byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
				request.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
			}
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			String line = in.readLine();
			if (line == null) {
				throw new IOException("Connection closed by " + host + ":" + port + " without a reply");
			}
			if (line.startsWith("$") && !line.equals("$-1")) {
				// INFO and similar replies are ASCII, so characters and bytes count the
				// same.
				char[] bulk = new char[Integer.parseInt(line.substring(1))];
				int read = 0;
				while (read < bulk.length) {
					int count = in.read(bulk, read, bulk.length - read);
					if (count == -1) {
						throw new IOException("Connection closed by " + host + ":" + port + " mid-reply");
					}
					read += count;
				}
				return new String(bulk);
			}
			return line;
		}
	}

	/**
	 * Whether a Redis server answers {@code PING} with {@code PONG}.
	 * @param host the host
	 * @param port the port
	 * @param timeoutMillis the connect and read timeout
	 * @return {@code true} when the server answered
	 */
	static boolean ping(String host, int port, int timeoutMillis) {
		try {
			return "+PONG".equals(command(host, port, timeoutMillis, "PING"));
		}
		catch (IOException ex) {
			return false;
		}
	}

}
