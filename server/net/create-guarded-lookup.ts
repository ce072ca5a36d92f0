import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import { isPublicAddress } from "./is-public-address";
import { OutboundFetchError } from "./outbound-fetch-error";

// The resolver of every outbound socket (safeFetch, the MCP proxy's backend requests): the address is
// judged as the socket connects, so a DNS answer that changes between a check and the connection
// (rebinding) gains nothing.

/** A `lookup` for the socket that resolves and then refuses any non-public answer (unless allowlisted). */
export function createGuardedLookup(allowlisted: boolean): LookupFunction {
  return (hostname, options: LookupOptions, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(new OutboundFetchError("dns_failure", { cause: error }), "", 0);
        return;
      }
      // One private answer refuses the host: a name that mixes public and private records is a trap.
      if (!allowlisted && (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address)))) {
        callback(new OutboundFetchError("private_address"), "", 0);
        return;
      }
      if (options.all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        return;
      }
      const [first] = addresses;
      if (!first) {
        callback(new OutboundFetchError("dns_failure"), "", 0);
        return;
      }
      callback(null, first.address, first.family);
    });
  };
}
