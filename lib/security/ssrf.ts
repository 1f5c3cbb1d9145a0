import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { addressProblem, addressVerdict, isLocalhostName, LOCALHOST_ADDRESSES } from "./addresses";
import { urlShapeProblem, type UrlShapeReason } from "./outbound-url";

export { addressVerdict, embeddedIPv4, isLocalhostName } from "./addresses";

// The SSRF guard. Outbound webhook URLs are chosen by admins of any organization, so the server
// must never be steered at itself, the local network or a cloud metadata service. The verdict is
// taken on the resolved addresses, and the HTTP client connects to the vetted address itself
// (lib/delivery/transport/http-client.ts), so a DNS answer that changes between check and connect
// (rebinding) cannot swap it.

export type ResolvedAddress = { address: string; family: 4 | 6 };
export type LookupFn = (hostname: string) => Promise<ResolvedAddress[]>;

export interface GuardPolicy {
  /** CIDRs that may be reached even though they are private (ALLOWED_PRIVATE_NETWORKS). */
  allowedNetworks: readonly string[];
  /** Whether plain http:// URLs are allowed (ALLOW_INSECURE_URLS). */
  allowInsecure: boolean;
}

export type BlockReason = UrlShapeReason | "dns" | "blocked_address";

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

/**
 * Checks a URL's form before any network activity (the shared rules of outbound-url.ts), and a
 * literal IP host. WHATWG URL parsing has already turned 2130706433, 0x7f.1 or [::FFFF:7F00:1]
 * into the canonical address the connection will use, which is what is judged.
 */
export function checkUrlShape(raw: string, policy: GuardPolicy): URL {
  const problem = urlShapeProblem(raw, { allowInsecure: policy.allowInsecure });
  if (problem) throw new BlockedRequestError(problem.reason, problem.message);
  const url = new URL(raw);
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
  // localhost names are this machine whatever DNS says (RFC 6761): allowed only as far as an
  // allowed network covers a loopback address, which is then the one connected to.
  if (isLocalhostName(hostname)) {
    const address = LOCALHOST_ADDRESSES.find((a) => addressVerdict(a, policy) === null);
    if (!address) throw new BlockedRequestError("blocked_address", `Blocked: ${hostname} is a loopback name`);
    return { address, family: address.includes(":") ? 6 : 4 };
  }
  let answers: ResolvedAddress[];
  try {
    answers = await lookup(hostname);
  } catch (err) {
    throw new BlockedRequestError("dns", `DNS lookup for ${hostname} failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!answers.length) throw new BlockedRequestError("dns", `DNS lookup for ${hostname} returned no address`);
  for (const a of answers) {
    const problem = addressProblem(a.address, policy);
    if (problem) throw new BlockedRequestError("blocked_address", `Blocked: ${hostname} resolves to ${a.address}, which ${problem}`);
  }
  return answers[0]!;
}

/** Full check of a URL: its shape, then its host's addresses. */
export async function vetUrl(raw: string, policy: GuardPolicy, lookup: LookupFn = systemLookup): Promise<{ url: URL; address: ResolvedAddress }> {
  const url = checkUrlShape(raw, policy);
  return { url, address: await resolveAllowed(hostOf(url), policy, lookup) };
}
