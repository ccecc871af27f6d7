package dev.ratelimit.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.ratelimit.web.AccessLists;
import dev.ratelimit.web.AddressRange;
import dev.ratelimit.web.ClientAddressResolver;

import org.springframework.util.StringUtils;

/**
 * Maps {@code rate-limit.allow} and {@code rate-limit.deny} to the {@link AccessLists},
 * parsing every address and range once, at startup, and failing it with the property name
 * and where it is set when one is not an address or range.
 *
 * @author rate-limit-spring-boot
 */
final class AccessListsMapper {

	private final InvalidRateLimitProperty invalid;

	AccessListsMapper(InvalidRateLimitProperty invalid) {
		this.invalid = invalid;
	}

	/**
	 * Map and validate the lists.
	 * @param properties the properties
	 * @param clientAddressResolver finds the client address of a request
	 * @return the lists
	 */
	AccessLists toAccessLists(RateLimitProperties properties, ClientAddressResolver clientAddressResolver) {
		AccessListProperties allow = properties.getAllow();
		AccessListProperties deny = properties.getDeny();
		return new AccessLists(addressRanges(allow.getAddresses(), "rate-limit.allow.addresses"),
				users(allow.getUsers(), "rate-limit.allow.users"),
				addressRanges(deny.getAddresses(), "rate-limit.deny.addresses"),
				users(deny.getUsers(), "rate-limit.deny.users"), clientAddressResolver);
	}

	/**
	 * Parse a list of addresses and CIDR ranges.
	 * @param addresses the addresses as configured
	 * @param property the list's property, e.g. {@code rate-limit.deny.addresses}
	 * @return the ranges
	 */
	List<AddressRange> addressRanges(List<String> addresses, String property) {
		List<AddressRange> ranges = new ArrayList<>(addresses.size());
		for (int i = 0; i < addresses.size(); i++) {
			try {
				ranges.add(AddressRange.parse(addresses.get(i)));
			}
			catch (IllegalArgumentException ex) {
				throw this.invalid.invalid(property + "[" + i + "]", addresses.get(i), ex.getMessage(),
						"Give an IP address (10.0.0.7) or a CIDR range (10.0.0.0/8, fd00::/8).");
			}
		}
		return ranges;
	}

	private Set<String> users(List<String> users, String property) {
		Set<String> names = new LinkedHashSet<>();
		for (int i = 0; i < users.size(); i++) {
			if (!StringUtils.hasText(users.get(i))) {
				throw this.invalid.invalid(property + "[" + i + "]", users.get(i), "the principal name is blank",
						"Give the name a user authenticates as, or remove the entry.");
			}
			names.add(users.get(i));
		}
		return names;
	}

}
