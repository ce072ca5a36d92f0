import ipaddr from "ipaddr.js";

// Whether an IP address is one Tumiki may contact on behalf of a URL that came from outside (a CIMD
// client_id, a backend's metadata): only globally routable unicast. Everything else — loopback, RFC 1918,
// link-local (cloud metadata at 169.254.169.254), CGNAT, unique-local, multicast, reserved, 0.0.0.0/8 —
// is refused, including IPv6 forms that carry an IPv4 address inside (IPv4-mapped ::ffff:a.b.c.d, the
// deprecated IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), which are judged by the
// embedded IPv4 address. Anything that does not parse as an address is refused.

const ZERO_PREFIX_96 = ipaddr.parseCIDR("::/96");
const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96");

const ipv4FromParts = (high: number, low: number) =>
  new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);

function isPublicIpv4(address: ipaddr.IPv4): boolean {
  return address.range() === "unicast";
}

function isPublicIpv6(address: ipaddr.IPv6): boolean {
  if (address.isIPv4MappedAddress()) return isPublicIpv4(address.toIPv4Address());
  const parts = address.parts;
  // ::/96 covers `::`, `::1` and the deprecated IPv4-compatible form; none is a public destination.
  if (address.match(ZERO_PREFIX_96)) return false;
  // NAT64 and 6to4 reach the IPv4 address they embed: a public one is fine, a private one is not.
  if (address.match(NAT64_WELL_KNOWN)) return isPublicIpv4(ipv4FromParts(parts[6] ?? 0, parts[7] ?? 0));
  if (address.range() === "6to4") return isPublicIpv4(ipv4FromParts(parts[1] ?? 0, parts[2] ?? 0));
  // Everything else that ipaddr.js names (teredo, rfc6145, local-use NAT64, unique-local, …) is refused.
  return address.range() === "unicast";
}

export function isPublicAddress(address: string): boolean {
  // Zone ids (fe80::1%eth0) only occur on link-local addresses, which are refused anyway.
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  return parsed.kind() === "ipv4" ? isPublicIpv4(parsed as ipaddr.IPv4) : isPublicIpv6(parsed as ipaddr.IPv6);
}
