import { describe, expect, it } from "vitest";
import { isPublicAddress } from "./is-public-address";

describe("isPublicAddress", () => {
  it.each([
    "1.1.1.1",
    "8.8.8.8",
    "93.184.215.14",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    // NAT64 and 6to4 of a public IPv4 address
    "64:ff9b::808:808",
    "2002:808:808::1",
    "::ffff:8.8.8.8",
  ])("accepts the public address %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    ["loopback", "127.0.0.1"],
    ["loopback, far end", "127.255.255.254"],
    ["private 10/8", "10.1.2.3"],
    ["private 172.16/12", "172.16.0.1"],
    ["private 172.16/12, far end", "172.31.255.255"],
    ["private 192.168/16", "192.168.1.1"],
    ["link-local (cloud metadata)", "169.254.169.254"],
    ["CGNAT 100.64/10", "100.64.0.1"],
    ["unspecified", "0.0.0.0"],
    ["0.0.0.0/8", "0.1.2.3"],
    ["broadcast", "255.255.255.255"],
    ["multicast", "224.0.0.1"],
    ["reserved 240/4", "240.0.0.1"],
    ["documentation 192.0.2/24", "192.0.2.10"],
    ["benchmarking 198.18/15", "198.18.0.1"],
    ["IETF 192.0.0/24", "192.0.0.8"],
    ["IPv6 loopback", "::1"],
    ["IPv6 unspecified", "::"],
    ["IPv6 link-local", "fe80::1"],
    ["IPv6 link-local with zone", "fe80::1%eth0"],
    ["IPv6 unique-local fc00::/7", "fd00::1"],
    ["IPv6 unique-local fc00::", "fc00::1"],
    ["IPv6 multicast", "ff02::1"],
    ["IPv6 site-local (deprecated)", "fec0::1"],
    ["IPv6 documentation", "2001:db8::1"],
    ["IPv4-mapped loopback", "::ffff:127.0.0.1"],
    ["IPv4-mapped loopback, hex", "::ffff:7f00:1"],
    ["IPv4-mapped metadata", "::ffff:169.254.169.254"],
    ["IPv4-mapped private", "::ffff:10.0.0.1"],
    ["IPv4-compatible loopback", "::127.0.0.1"],
    ["IPv4-translated (RFC 6145)", "::ffff:0:7f00:1"],
    ["NAT64 of loopback", "64:ff9b::7f00:1"],
    ["NAT64 of private", "64:ff9b::a00:1"],
    ["NAT64 of metadata", "64:ff9b::a9fe:a9fe"],
    ["local-use NAT64", "64:ff9b:1::a00:1"],
    ["6to4 of loopback", "2002:7f00:1::1"],
    ["6to4 of private", "2002:c0a8:101::1"],
    ["Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
    ["decimal loopback", "2130706433"],
    ["octal loopback", "0177.0.0.1"],
    ["hex loopback", "0x7f.1"],
    ["short loopback", "127.1"],
    ["a hostname", "localhost"],
    ["garbage", "not an address"],
    ["empty", ""],
  ])("refuses %s (%s)", (_name, address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});
