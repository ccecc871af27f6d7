package dev.ratelimit.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An HTTP/1.1 client on a bare socket, for requests {@code java.net.http} refuses to
 * send: control characters, bytes that are not UTF-8, headers near the server's size
 * limit, repeated header lines. One request per connection ({@code Connection: close}).
 */
final class RawHttp {

	private final int port;

	RawHttp(int port) {
		this.port = port;
	}

	Request request(String method, String target) {
		return new Request(method.getBytes(StandardCharsets.ISO_8859_1), target.getBytes(StandardCharsets.ISO_8859_1));
	}

	Request request(byte[] method, byte[] target) {
		return new Request(method, target);
	}

	/**
	 * A request under construction; header values are raw bytes.
	 */
	final class Request {

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private final StringBuilder description = new StringBuilder();

		private Request(byte[] method, byte[] target) {
			this.bytes.writeBytes(method);
			this.bytes.write(' ');
			this.bytes.writeBytes(target);
			this.bytes.writeBytes(
					" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n".getBytes(StandardCharsets.US_ASCII));
			this.description.append(printable(method)).append(' ').append(printable(target));
		}

		Request header(String name, String value) {
			return header(name, value.getBytes(StandardCharsets.ISO_8859_1));
		}

		Request header(String name, byte[] value) {
			this.bytes.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
			this.bytes.writeBytes(": ".getBytes(StandardCharsets.US_ASCII));
			this.bytes.writeBytes(value);
			this.bytes.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
			this.description.append(" | ").append(name).append(": ").append(printable(value));
			return this;
		}

		int size() {
			return this.bytes.size();
		}

		Response send() throws IOException {
			this.bytes.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), RawHttp.this.port), 2000);
				socket.setSoTimeout(5000);
				OutputStream out = socket.getOutputStream();
				out.write(this.bytes.toByteArray());
				out.flush();
				return Response.parse(readAll(socket.getInputStream()), toString());
			}
		}

		@Override
		public String toString() {
			return this.description.toString();
		}

	}

	/**
	 * Reads until the server closes. A server that rejects a request before reading all
	 * of it may reset the connection after its answer: keep what arrived.
	 */
	private static byte[] readAll(InputStream in) throws IOException {
		ByteArrayOutputStream response = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		try {
			for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
				response.write(buffer, 0, read);
			}
		}
		catch (SocketException ex) {
			if (response.size() == 0) {
				throw ex;
			}
		}
		return response.toByteArray();
	}

	/**
	 * Printable form of raw bytes: ASCII as is, anything else as {@code \xNN}.
	 */
	static String printable(byte[] bytes) {
		StringBuilder text = new StringBuilder();
		int shown = Math.min(bytes.length, 200);
		for (int i = 0; i < shown; i++) {
			int b = bytes[i] & 0xFF;
			if (b >= 0x20 && b < 0x7F && b != '\\') {
				text.append((char) b);
			}
			else {
				text.append("\\x").append(HexFormat.of().toHexDigits((byte) b));
			}
		}
		return (bytes.length > shown) ? text + "...(" + bytes.length + " bytes)" : text.toString();
	}

	/**
	 * A response: status, header lines and body.
	 *
	 * @param status the status code
	 * @param headers the header lines, as sent
	 * @param body the body, as ISO-8859-1 text (chunk sizes included)
	 */
	record Response(int status, List<String> headers, String body) {

		static Response parse(byte[] bytes, String request) throws IOException {
			String text = new String(bytes, StandardCharsets.ISO_8859_1);
			int end = text.indexOf("\r\n\r\n");
			if (!text.startsWith("HTTP/1.1 ") || end < 0) {
				throw new IOException("Not an HTTP response to [" + request + "]: " + printable(bytes));
			}
			String[] lines = text.substring(0, end).split("\r\n");
			int status = Integer.parseInt(lines[0].substring(9, 12));
			return new Response(status, List.of(lines).subList(1, lines.length), text.substring(end + 4));
		}

		Optional<String> header(String name) {
			String prefix = name.toLowerCase(Locale.ROOT) + ":";
			for (String line : this.headers) {
				if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
					return Optional.of(line.substring(prefix.length()).trim());
				}
			}
			return Optional.empty();
		}

		boolean isProblem() {
			return header("Content-Type").filter((type) -> type.startsWith("application/problem+json")).isPresent();
		}

	}

}
