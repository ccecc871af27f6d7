package dev.ratelimit.web;

import java.net.InetAddress;
import java.security.Principal;
import java.util.List;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * The callers that are never limited (allowed) and those that are always refused
 * (denied), by client address (IP addresses and CIDR ranges, as
 * {@link ClientAddressResolver} finds the address: a forwarded address counts only from a
 * trusted proxy) and by principal name. Built once at startup; matching a request costs
 * no I/O and no pattern matching: a set lookup for the name and a walk over the ranges
 * for the address, and nothing at all for a list that is empty.
 * <p>
 * Deny wins: a caller on both lists is denied, so that a denial cannot be undone by an
 * allow entry that happens to cover the caller too (a wide range of a partner network,
 * say).
 *
 * @author rate-limit-spring-boot
 */
public final class AccessLists {

	private static final AccessLists NONE = new AccessLists(List.of(), Set.of(), List.of(), Set.of(),
			new ClientAddressResolver(List.of()));

	private final AddressRange[] allowedAddresses;

	private final Set<String> allowedUsers;

	private final AddressRange[] deniedAddresses;

	private final Set<String> deniedUsers;

	private final ClientAddressResolver clientAddressResolver;

	private final boolean empty;

	private final boolean byAddress;

	/**
	 * Create the lists.
	 * @param allowedAddresses the addresses and ranges never limited
	 * @param allowedUsers the principal names never limited
	 * @param deniedAddresses the addresses and ranges always refused
	 * @param deniedUsers the principal names always refused
	 * @param clientAddressResolver finds the client address of a request
	 */
	public AccessLists(List<AddressRange> allowedAddresses, Set<String> allowedUsers,
			List<AddressRange> deniedAddresses, Set<String> deniedUsers, ClientAddressResolver clientAddressResolver) {
		this.allowedAddresses = allowedAddresses.toArray(new AddressRange[0]);
		this.allowedUsers = Set.copyOf(allowedUsers);
		this.deniedAddresses = deniedAddresses.toArray(new AddressRange[0]);
		this.deniedUsers = Set.copyOf(deniedUsers);
		this.clientAddressResolver = clientAddressResolver;
		this.byAddress = this.allowedAddresses.length > 0 || this.deniedAddresses.length > 0;
		this.empty = !this.byAddress && this.allowedUsers.isEmpty() && this.deniedUsers.isEmpty();
	}

	/**
	 * Lists that hold no one.
	 * @return the empty lists
	 */
	public static AccessLists none() {
		return NONE;
	}

	/**
	 * Whether both lists are empty, so that no request is ever listed.
	 * @return {@code true} when empty
	 */
	public boolean isEmpty() {
		return this.empty;
	}

	/**
	 * Which list a request's caller is on.
	 * @param request the request
	 * @return the listing; {@link Listing#NOT_LISTED} when on neither list
	 */
	public Listing match(HttpServletRequest request) {
		if (this.empty) {
			return Listing.NOT_LISTED;
		}
		String name = principalName(request);
		InetAddress address = this.byAddress ? this.clientAddressResolver.resolveAddress(request) : null;
		if ((name != null && this.deniedUsers.contains(name)) || contains(this.deniedAddresses, address)) {
			return Listing.DENYLISTED;
		}
		if ((name != null && this.allowedUsers.contains(name)) || contains(this.allowedAddresses, address)) {
			return Listing.ALLOWLISTED;
		}
		return Listing.NOT_LISTED;
	}

	private @Nullable String principalName(HttpServletRequest request) {
		if (this.allowedUsers.isEmpty() && this.deniedUsers.isEmpty()) {
			return null;
		}
		Principal principal = request.getUserPrincipal();
		return (principal != null) ? principal.getName() : null;
	}

	private static boolean contains(AddressRange[] ranges, @Nullable InetAddress address) {
		if (address == null) {
			return false;
		}
		for (AddressRange range : ranges) {
			if (range.contains(address)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Which list a caller is on.
	 */
	public enum Listing {

		/**
		 * On neither list: the request is limited as usual.
		 */
		NOT_LISTED,

		/**
		 * On the allow list (and not on the deny list): never limited.
		 */
		ALLOWLISTED,

		/**
		 * On the deny list: answered {@code 403} before any check.
		 */
		DENYLISTED

	}

}
