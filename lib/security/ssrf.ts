import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";

// The SSRF guard. Outbound webhook URLs are chosen by admins of any organization, so the server
// must never be steered at itself, the local network or a cloud metadata service. The verdict is
// taken on the resolved addresses, and the HTTP client connects to the vetted address itself
// (lib/delivery/http-client.ts), so a DNS answer that changes between check and connect
// (rebinding) cannot swap it.

export type ResolvedAddress = { address: string; family: 4 | 6 };
export type LookupFn = (hostname: string) => Promise<ResolvedAddress[]>;

export interface GuardPolicy {
  /** CIDRs that may be reached even though they are private (ALLOWED_PRIVATE_NETWORKS). */
  allowedNetworks: readonly string[];
  /** Whether plain http:// URLs are allowed (ALLOW_INSECURE_URLS). */
  allowInsecure: boolean;
}

export type BlockReason = "invalid_url" | "scheme" | "credentials" | "dns" | "blocked_address";

export class BlockedRequestError extends Error {
  constructor(
    readonly reason: BlockReason,
    message: string,
  ) {
    super(message);
    this.name = "BlockedRequestError";
  }
}

export const systemLookup: LookupFn = async (hostname) => {
  const rows = await dnsLookup(hostname, { all: true, verbatim: true });
  return rows.map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
};

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

function parseCidrs(cidrs: readonly string[]): [Parsed, number][] {
  return cidrs.map((c) => {
    const [addr, bits] = c.split("/");
    const ip = ipaddr.parse(addr!);
    const max = ip.kind() === "ipv4" ? 32 : 128;
    return [ip, bits === undefined ? max : Number(bits)];
  });
}

/** Unwraps IPv4 addresses carried inside IPv6 forms (::ffff:a.b.c.d), which must be judged as IPv4. */
function normalize(ip: Parsed): Parsed {
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) return (ip as ipaddr.IPv6).toIPv4Address();
  return ip;
}

/**
 * The range an address falls in: "unicast" for public addresses, otherwise the name of the
 * special range (private, loopback, linkLocal, carrierGradeNat, multicast, uniqueLocal, …).
 */
export function addressRange(address: string): string {
  const ip = normalize(ipaddr.parse(address));
  return ip.range();
}

/** Null when the address may be contacted, else a sentence saying why not. */
export function addressVerdict(address: string, policy: Pick<GuardPolicy, "allowedNetworks">): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  const ip = normalize(ipaddr.parse(address));
  for (const [net, bits] of parseCidrs(policy.allowedNetworks)) {
    const n = normalize(net);
    if (n.kind() === ip.kind() && ip.match(n, n.kind() === net.kind() ? bits : bits - 96)) return null;
  }
  const range = ip.range();
  // Only globally routable unicast is allowed. Everything else — private, loopback, link-local
  // (169.254.169.254 metadata), CGNAT (100.64/10, incl. 100.100.100.200 metadata), multicast,
  // reserved, unique-local IPv6 (fd00:ec2::254 metadata), NAT64/6to4/Teredo wrappers — is refused.
  if (range === "unicast") return null;
  return `${address} is a ${describeRange(range)} address`;
}

function describeRange(range: string): string {
  const names: Record<string, string> = {
    private: "private-network",
    loopback: "loopback",
    linkLocal: "link-local (cloud metadata)",
    carrierGradeNat: "carrier-grade NAT",
    multicast: "multicast",
    uniqueLocal: "unique-local (private IPv6)",
    unspecified: "unspecified",
    broadcast: "broadcast",
    reserved: "reserved",
  };
  return names[range] ?? `special-purpose (${range})`;
}

/** Checks a URL's form before any network activity: scheme, credentials, literal IP hosts. */
export function checkUrlShape(raw: string, policy: GuardPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedRequestError("invalid_url", `"${raw}" is not a valid absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new BlockedRequestError("scheme", `${url.protocol} URLs are not allowed; use https://`);
  if (url.protocol === "http:" && !policy.allowInsecure) {
    throw new BlockedRequestError("scheme", "Plain http:// URLs are not allowed; use https:// (or set ALLOW_INSECURE_URLS=true for development)");
  }
  if (url.username || url.password) throw new BlockedRequestError("credentials", "Put credentials in the rule's Authentication settings, not in the URL");
  const host = hostOf(url);
  if (ipaddr.isValid(host)) {
    const verdict = addressVerdict(host, policy);
    if (verdict) throw new BlockedRequestError("blocked_address", `Blocked: ${verdict}`);
  }
  return url;
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

/**
 * Resolves a host and returns the first address that passes the guard. Any blocked address in the
 * answer refuses the whole host: a name that resolves to both public and private addresses is a
 * classic rebinding setup.
 */
export async function resolveAllowed(hostname: string, policy: GuardPolicy, lookup: LookupFn = systemLookup): Promise<ResolvedAddress> {
  if (ipaddr.isValid(hostname)) {
    const verdict = addressVerdict(hostname, policy);
    if (verdict) throw new BlockedRequestError("blocked_address", `Blocked: ${verdict}`);
    return { address: hostname, family: ipaddr.parse(hostname).kind() === "ipv6" ? 6 : 4 };
  }
  let answers: ResolvedAddress[];
  try {
    answers = await lookup(hostname);
  } catch (err) {
    throw new BlockedRequestError("dns", `DNS lookup for ${hostname} failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!answers.length) throw new BlockedRequestError("dns", `DNS lookup for ${hostname} returned no address`);
  for (const a of answers) {
    const verdict = addressVerdict(a.address, policy);
    if (verdict) throw new BlockedRequestError("blocked_address", `Blocked: ${hostname} resolves to ${verdict}`);
  }
  return answers[0]!;
}

/** Full check of a URL: its shape, then its host's addresses. */
export async function vetUrl(raw: string, policy: GuardPolicy, lookup: LookupFn = systemLookup): Promise<{ url: URL; address: ResolvedAddress }> {
  const url = checkUrlShape(raw, policy);
  return { url, address: await resolveAllowed(hostOf(url), policy, lookup) };
}
