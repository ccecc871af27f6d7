package dev.ratelimit.autoconfigure;

import java.util.ArrayList;
import java.util.List;

/**
 * An allow or deny list of callers.
 *
 * @author rate-limit-spring-boot
 */
public class AccessListProperties {

	/**
	 * IP addresses and CIDR ranges (IPv4 or IPv6), matched on the client address: a
	 * forwarded address counts only from a trusted proxy.
	 */
	private List<String> addresses = new ArrayList<>();

	/**
	 * Principal names of authenticated callers, matched exactly.
	 */
	private List<String> users = new ArrayList<>();

	public List<String> getAddresses() {
		return this.addresses;
	}

	public void setAddresses(List<String> addresses) {
		this.addresses = addresses;
	}

	public List<String> getUsers() {
		return this.users;
	}

	public void setUsers(List<String> users) {
		this.users = users;
	}

}
