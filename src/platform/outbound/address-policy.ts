import { BlockList, isIP } from "node:net";

// Never reachable from a workflow step: loopback, "this network", private (RFC 1918), CGNAT,
// link-local (cloud metadata at 169.254.169.254 and fd00:ec2::254), benchmarking, documentation,
// multicast, reserved and their IPv6 counterparts (unique-local, link-local, IPv4-mapped, NAT64).
const denied = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  denied.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  denied.addSubnet(network, prefix, "ipv6");
}

/** An IPv4-mapped or -compatible IPv6 address (`::ffff:127.0.0.1`) as the IPv4 address it carries. */
function unmapped(address: string): { address: string; family: "ipv4" | "ipv6" } {
  const lower = address.toLowerCase();
  const mapped = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1]) return { address: mapped[1], family: "ipv4" };
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped?.[1] && hexMapped[2]) {
    const high = Number.parseInt(hexMapped[1], 16);
    const low = Number.parseInt(hexMapped[2], 16);
    return { address: `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, family: "ipv4" };
  }
  return { address, family: isIP(address) === 6 ? "ipv6" : "ipv4" };
}

export interface AddressPolicy {
  /** null when the address may be called; otherwise why not. */
  refuse(address: string, host: string): string | null;
}

/**
 * `allowed`: host names or IP addresses/CIDRs (OUTBOUND_ALLOWED_HOSTS) that may be reached even
 * though they are private, for local development and tests. Everything else private is refused.
 */
export function addressPolicy(allowed: readonly string[]): AddressPolicy {
  const allowedHosts = new Set(allowed.filter((entry) => isIP(entry.split("/")[0] ?? "") === 0).map((host) => host.toLowerCase()));
  const allowedNets = new BlockList();
  for (const entry of allowed) {
    const [network, bits] = entry.split("/");
    const family = isIP(network ?? "");
    if (!network || family === 0) continue;
    if (bits === undefined) allowedNets.addAddress(network, family === 6 ? "ipv6" : "ipv4");
    else allowedNets.addSubnet(network, Number(bits), family === 6 ? "ipv6" : "ipv4");
  }
  return {
    refuse(address, host) {
      const { address: plain, family } = unmapped(address);
      if (isIP(plain) === 0) return `${address} is not an IP address`;
      if (allowedHosts.has(host.toLowerCase()) || allowedNets.check(plain, family)) return null;
      if (denied.check(plain, family)) return `${host} resolves to ${plain}, a private, loopback, link-local or reserved address`;
      return null;
    },
  };
}
