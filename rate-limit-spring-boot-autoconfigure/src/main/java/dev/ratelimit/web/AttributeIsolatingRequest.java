package dev.ratelimit.web;

import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.jspecify.annotations.Nullable;

/**
 * A request whose attribute writes stay in the wrapper, so a handler lookup made ahead of
 * the {@code DispatcherServlet} leaves no trace on the real request.
 *
 * @author rate-limit-spring-boot
 */
final class AttributeIsolatingRequest extends HttpServletRequestWrapper {

	private final Map<String, Object> attributes = new HashMap<>();

	private final Set<String> removed = new HashSet<>();

	AttributeIsolatingRequest(HttpServletRequest request) {
		super(request);
	}

	@Override
	public @Nullable Object getAttribute(String name) {
		if (this.removed.contains(name)) {
			return null;
		}
		Object value = this.attributes.get(name);
		return (value != null) ? value : super.getAttribute(name);
	}

	@Override
	public Enumeration<String> getAttributeNames() {
		Set<String> names = new LinkedHashSet<>(Collections.list(super.getAttributeNames()));
		names.removeAll(this.removed);
		names.addAll(this.attributes.keySet());
		return Collections.enumeration(names);
	}

	@Override
	public void setAttribute(String name, @Nullable Object value) {
		if (value == null) {
			removeAttribute(name);
			return;
		}
		this.removed.remove(name);
		this.attributes.put(name, value);
	}

	@Override
	public void removeAttribute(String name) {
		this.attributes.remove(name);
		this.removed.add(name);
	}

}
