import ipaddr from "ipaddr.js";

// Which IP addresses outbound requests may reach. Pure (no network, no Node APIs), so the same
// verdict serves the save-time check, the send-time DNS pinning and the unit tests.
//
// Only globally routable unicast is allowed. An IPv6 address that carries an IPv4 address
// (IPv4-mapped, IPv4-compatible, SIIT, NAT64, 6to4, Teredo) is judged by the IPv4 address inside
// it: `::a9fe:a9fe` and `64:ff9b::a9fe:a9fe` lead to 169.254.169.254 as surely as the dotted form.
// Every other IPv6 address must be global unicast (2000::/3) outside the IANA special-purpose
// ranges (documentation, benchmarking, ORCHID, Teredo's own block, SRv6, …).

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

export interface AddressPolicy {
  /** CIDRs that may be reached although not public (ALLOWED_PRIVATE_NETWORKS). */
  allowedNetworks: readonly string[];
}

/** IANA special-purpose IPv6 blocks inside 2000::/3 that ipaddr.js names too coarsely or not at all. */
const IPV6_SPECIAL: [string, string][] = [
  ["2001:db8::/32", "documentation"],
  ["3fff::/20", "documentation"],
  ["3ffe::/16", "reserved (former 6bone)"],
  ["2001::/23", "IETF protocol assignment"],
];

const RANGE_NAMES: Record<string, string> = {
  private: "private-network",
  loopback: "loopback",
  linkLocal: "link-local (cloud metadata)",
  carrierGradeNat: "carrier-grade NAT",
  multicast: "multicast",
  uniqueLocal: "unique-local (private IPv6)",
  unspecified: "unspecified",
  broadcast: "broadcast",
  reserved: "reserved",
  deprecatedSiteLocal: "site-local (deprecated, private)",
  discard: "discard-only",
  benchmarking: "benchmarking",
  amt: "AMT",
  as112: "AS112",
  as112v6: "AS112",
  deprecatedOrchid: "ORCHID (deprecated)",
  orchid2: "ORCHIDv2",
  droneRemoteIdProtocolEntityTags: "drone remote ID",
  segmentRouting: "segment-routing (SRv6)",
  rfc6052: "NAT64",
  rfc6145: "IPv4-translated",
  ipv4Mapped: "IPv4-mapped",
  "6to4": "6to4",
  teredo: "Teredo",
};

function describe(range: string): string {
  return RANGE_NAMES[range] ?? `special-purpose (${range})`;
}

const cidr = (c: string): [Parsed, number] => ipaddr.parseCIDR(c);
const GLOBAL_UNICAST = cidr("2000::/3");
const IPV6_SPECIAL_PARSED = IPV6_SPECIAL.map(([c, name]) => [cidr(c), name] as const);
const NAT64_WELL_KNOWN = cidr("64:ff9b::/96");
const NAT64_LOCAL = cidr("64:ff9b:1::/48");
const SIX_TO_FOUR = cidr("2002::/16");
const TEREDO = cidr("2001::/32");
const SIIT = cidr("::ffff:0:0:0/96");
const COMPATIBLE = cidr("::/96");

const v4 = (b: number[]): ipaddr.IPv4 => new ipaddr.IPv4(b);

/**
 * The IPv4 addresses an IPv6 address carries and the name of the form, or null when it carries
 * none. `addresses` is empty when the form is known but the IPv4 address cannot be located.
 */
export function embeddedIPv4(ip: ipaddr.IPv6): { form: string; addresses: ipaddr.IPv4[] } | null {
  const b = ip.toByteArray();
  const last4 = v4(b.slice(12, 16));
  if (ip.isIPv4MappedAddress()) return { form: "IPv4-mapped", addresses: [last4] };
  if (ip.match(SIIT)) return { form: "IPv4-translated", addresses: [last4] };
  if (ip.match(NAT64_WELL_KNOWN)) return { form: "NAT64", addresses: [last4] };
  if (ip.match(NAT64_LOCAL)) return { form: "NAT64 (local-use)", addresses: rfc6052Candidates(b) };
  if (ip.match(SIX_TO_FOUR)) return { form: "6to4", addresses: [v4(b.slice(2, 6))] };
  // Teredo: the server's IPv4 in bits 32-63, the client's in the last 32 bits, inverted.
  if (ip.match(TEREDO)) return { form: "Teredo", addresses: [v4(b.slice(4, 8)), v4(b.slice(12, 16).map((x) => x ^ 0xff))] };
  // ::a.b.c.d (IPv4-compatible, deprecated); :: and ::1 are judged as themselves.
  if (ip.match(COMPATIBLE) && ip.range() !== "unspecified" && ip.range() !== "loopback") return { form: "IPv4-compatible", addresses: [last4] };
  return null;
}

/**
 * 64:ff9b:1::/48 (RFC 8215) may be split into NAT64 prefixes of any RFC 6052 length, each placing
 * the IPv4 address differently around the zero "u" octet (bits 64-71). Every layout whose u octet
 * and suffix are zero is a candidate; the address is judged by all of them.
 */
function rfc6052Candidates(b: number[]): ipaddr.IPv4[] {
  const layouts: { v4: number[]; zero: number[] }[] = [
    { v4: [6, 7, 9, 10], zero: [8, 11, 12, 13, 14, 15] }, // /48
    { v4: [7, 9, 10, 11], zero: [8, 12, 13, 14, 15] }, // /56
    { v4: [9, 10, 11, 12], zero: [8, 13, 14, 15] }, // /64
    { v4: [12, 13, 14, 15], zero: [8] }, // /96
  ];
  return layouts.filter((l) => l.zero.every((i) => b[i] === 0)).map((l) => v4(l.v4.map((i) => b[i]!)));
}

function allowedByPolicy(ip: Parsed, policy: AddressPolicy): boolean {
  for (const c of policy.allowedNetworks) {
    let [net, bits] = cidr(c.includes("/") ? c : `${c}/${c.includes(":") ? 128 : 32}`);
    // An IPv4-mapped CIDR (::ffff:10.0.0.0/104) is the IPv4 network it maps.
    if (net.kind() === "ipv6" && (net as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) [net, bits] = [(net as ipaddr.IPv6).toIPv4Address(), bits - 96];
    if (net.kind() === ip.kind() && ip.match(net, bits)) return true;
  }
  return false;
}

/** Null when the IPv4 address may be contacted, else the name of its range. */
function ipv4Problem(ip: ipaddr.IPv4, policy: AddressPolicy): string | null {
  if (allowedByPolicy(ip, policy)) return null;
  const range = ip.range();
  return range === "unicast" ? null : describe(range);
}

/** Null when the IPv6 address (carrying no IPv4 address) may be contacted, else why not. */
function ipv6Problem(ip: ipaddr.IPv6): string | null {
  for (const [[net, bits], name] of IPV6_SPECIAL_PARSED) if (ip.match(net, bits)) return name;
  const range = ip.range();
  if (range !== "unicast") return describe(range);
  return ip.match(GLOBAL_UNICAST) ? null : "reserved (not global unicast)";
}

/** "a private-network address", "an unspecified address". */
function anAddress(range: string): string {
  return `${/^(?:[aeio]|un(?!i))/i.test(range) ? "an" : "a"} ${range} address`;
}

const MEMO_MAX = 1000;
const memo = new Map<string, string | null>();

/**
 * Null when the address may be contacted, else what is wrong with it as the rest of a sentence
 * about it ("is a loopback address", "carries 10.0.0.1 (IPv4-mapped), a private-network address").
 * Every request asks about the few addresses its destinations resolve to: the verdicts are
 * remembered (per policy; a pure function of both).
 */
export function addressProblem(address: string, policy: AddressPolicy): string | null {
  const key = `${policy.allowedNetworks.join(",")} ${address}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const problem = judgeAddress(address, policy);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, problem);
  return problem;
}

function judgeAddress(address: string, policy: AddressPolicy): string | null {
  if (!ipaddr.isValid(address)) return "is not an IP address";
  const ip = ipaddr.parse(address);
  // An allowed CIDR applies to the address as written (an IPv6 CIDR to IPv6 addresses), and an
  // IPv4 CIDR also to IPv6 forms carrying an address inside it (below).
  if (allowedByPolicy(ip, policy)) return null;
  if (ip.kind() === "ipv4") {
    const problem = ipv4Problem(ip as ipaddr.IPv4, policy);
    return problem && `is ${anAddress(problem)}`;
  }
  const ip6 = ip as ipaddr.IPv6;
  const embedded = embeddedIPv4(ip6);
  if (embedded) {
    if (!embedded.addresses.length) return `is ${anAddress(embedded.form)} whose IPv4 address cannot be located, so it is not a public address`;
    for (const inner of embedded.addresses) {
      const problem = ipv4Problem(inner, policy);
      if (problem) return `carries ${inner.toString()} (${embedded.form}), ${anAddress(problem)}`;
    }
    return null;
  }
  const problem = ipv6Problem(ip6);
  return problem && `is ${anAddress(problem)}`;
}

/** Null when the address may be contacted, else a sentence saying why not (ending in "address"). */
export function addressVerdict(address: string, policy: AddressPolicy): string | null {
  const problem = addressProblem(address, policy);
  return problem && (ipaddr.isValid(address) ? `${address} ${problem}` : `"${address}" ${problem}`);
}

/** RFC 6761: localhost and every name under it mean this machine, whatever a DNS server says. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

/** What a localhost name stands for, in the order to try. */
export const LOCALHOST_ADDRESSES = ["127.0.0.1", "::1"] as const;
