// The SSRF corpus: outbound URLs and the verdict each must get, the same at save (rule form, API,
// Test Connection) and at send (the guarded HTTP client's checks and DNS pinning). Tests only;
// ssrf-corpus.test.ts and tests/integration/ssrf-corpus.test.ts run it against both checks.
//
// http:// is used so that the address, not the scheme, decides (the tests allow insecure URLs).

export type Verdict = "allow" | "block";
export interface CorpusEntry {
  url: string;
  verdict: Verdict;
  /** What the host really is, for the failure message. */
  note: string;
}

/** Names the corpus resolves, as a DNS server would answer them (injected lookups in tests). */
export const CORPUS_DNS: Record<string, string[]> = {
  "metadata.example.test": ["169.254.169.254"],
  "mapped.example.test": ["::ffff:10.0.0.1"],
  "nat64.example.test": ["64:ff9b::a9fe:a9fe"],
  "compat.example.test": ["::a9fe:a9fe"],
  "mixed.example.test": ["93.184.216.34", "::a9fe:a9fe"],
  "public.example.test": ["93.184.216.34"],
  "public6.example.test": ["2606:2800:220:1:248:1893:25c8:1946"],
};

const block = (url: string, note: string): CorpusEntry => ({ url, verdict: "block", note });
const allow = (url: string, note: string): CorpusEntry => ({ url, verdict: "allow", note });

/** Judged with no ALLOWED_PRIVATE_NETWORKS. */
export const SSRF_CORPUS: CorpusEntry[] = [
  // IPv4 in every spelling WHATWG URL parsing accepts: each is 127.0.0.1, 10.0.0.1 or 0.0.0.0.
  block("http://127.0.0.1/", "loopback"),
  block("http://2130706433/", "127.0.0.1 in decimal"),
  block("http://0177.0.0.1/", "127.0.0.1 in octal"),
  block("http://0x7f.1/", "127.0.0.1 in hex, short form"),
  block("http://0x7f000001/", "127.0.0.1 as one hex number"),
  block("http://017700000001/", "127.0.0.1 as one octal number"),
  block("http://127.1/", "127.0.0.1, short form"),
  block("http://10.1/", "10.0.0.1, short form"),
  block("http://127.0.0.1./", "trailing dot"),
  block("http://%31%32%37.0.0.1/", "percent-encoded digits"),
  block("http://\uff11\uff12\uff17.0.0.1/", "full-width digits"),
  block("http://127\u30020\u30020\u30021/", "ideographic full stops"),
  block("http://0/", "0.0.0.0"),
  block("http://0.0.0.0:8080/", "unspecified"),
  block("http://169.254.169.254/latest/meta-data/", "cloud metadata (link-local)"),
  block("http://100.100.100.200/", "Alibaba metadata (carrier-grade NAT)"),
  block("http://192.168.0.1/", "private"),
  block("http://172.16.0.1/", "private"),
  block("http://198.18.0.1/", "benchmarking"),
  block("http://192.0.2.1/", "documentation (TEST-NET-1)"),
  block("http://192.0.0.170/", "NAT64 discovery (IETF protocol assignment)"),
  block("http://224.0.0.1/", "multicast"),
  block("http://240.0.0.1/", "reserved"),
  block("http://255.255.255.255/", "broadcast"),
  block("http://0x/", "0.0.0.0 as an empty hex number"),
  block("http://0x7f.0.0.01/", "127.0.0.1, hex and octal mixed"),
  block("http://0300.0250.0.1/", "192.168.0.1 in octal"),
  block("http://0xA9.0xFE.0xA9.0xFE/", "metadata in upper-case hex parts"),
  block("http://169.254.43518/", "metadata, three-part form"),
  block("http://127.0.0.1%2e/", "percent-encoded trailing dot"),
  block("http://100.64.0.1/", "carrier-grade NAT"),
  block("http://192.0.0.8/", "IPv4 dummy address (IETF protocol assignment)"),
  block("http://[0000:0000:0000:0000:0000:FFFF:A9FE:A9FE]/", "IPv4-mapped metadata, leading zeros, upper case"),
  block("http://[::FFFF:169.254.169.254]/", "IPv4-mapped metadata, upper case, dotted"),
  block("http://[64:FF9B::A9FE:A9FE]/", "NAT64 metadata, upper case"),
  block("http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/", "full-width localhost"),
  // IPv6 forms that carry an IPv4 address, judged by it.
  block("http://[::169.254.169.254]/latest/meta-data/", "IPv4-compatible metadata"),
  block("http://[::10.0.0.1]:8080/x", "IPv4-compatible private"),
  block("http://[::2]/", "IPv4-compatible 0.0.0.2"),
  block("http://[::ffff:127.0.0.1]/", "IPv4-mapped, dotted"),
  block("http://[::FFFF:7F00:1]/", "IPv4-mapped, upper-case hex"),
  block("http://[0:0:0:0:0:ffff:7f00:1]/", "IPv4-mapped, written out"),
  block("http://[::ffff:a9fe:a9fe]/", "IPv4-mapped metadata"),
  block("http://[::ffff:0:a9fe:a9fe]/", "IPv4-translated (SIIT) metadata"),
  block("http://[64:ff9b::a9fe:a9fe]/", "NAT64 metadata"),
  block("http://[64:ff9b::10.0.0.1]/", "NAT64 private, dotted"),
  block("http://[64:ff9b:1::a9fe:a9fe]/", "local-use NAT64, /96 layout"),
  block("http://[64:ff9b:1:a9fe:a9:fe00::]/", "local-use NAT64, /48 layout of 169.254.169.254"),
  block("http://[2002:a9fe:a9fe::1]/", "6to4 of metadata"),
  block("http://[2002:7f00:1::]/", "6to4 of loopback"),
  block("http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", "Teredo, client 10.0.0.1 (inverted)"),
  block("http://[2001:0:a9fe:a9fe::f7f7:f7f7]/", "Teredo, server 169.254.169.254"),
  // Reserved, unspecified and special IPv6.
  block("http://[::1]/", "loopback"),
  block("http://[0:0:0:0:0:0:0:1]/", "loopback, written out"),
  block("http://[::]/", "unspecified"),
  block("http://[fe80::1]/", "link-local"),
  block("http://[fe80::1%25eth0]/", "link-local with a zone id (not a valid URL)"),
  block("http://[fc00::1]/", "unique-local"),
  block("http://[fd00:ec2::254]/", "AWS IPv6 metadata (unique-local)"),
  block("http://[fec0::1]/", "site-local (deprecated)"),
  block("http://[ff02::1]/", "multicast"),
  block("http://[ff05::1:3]/", "multicast, site scope"),
  block("http://[2001:db8::1]/", "documentation"),
  block("http://[3fff::1]/", "documentation (RFC 9637)"),
  block("http://[100::1]/", "discard-only"),
  block("http://[2001:20::1]/", "ORCHIDv2"),
  block("http://[2001:10::1]/", "ORCHID (deprecated)"),
  block("http://[2001:2::1]/", "benchmarking"),
  block("http://[5f00::1]/", "SRv6 SIDs"),
  block("http://[4000::1]/", "outside global unicast"),
  // localhost names, in any case, with a trailing dot.
  block("http://localhost/", "localhost"),
  block("http://LOCALHOST:8080/", "upper-case localhost"),
  block("http://localhost./", "trailing dot"),
  block("http://LocalHost./x", "mixed case and trailing dot"),
  block("http://api.localhost/", "a name under localhost"),
  // Names whose DNS answers are not public.
  block("https://metadata.example.test/", "resolves to 169.254.169.254"),
  block("https://mapped.example.test/", "resolves to ::ffff:10.0.0.1"),
  block("https://nat64.example.test/", "resolves to 64:ff9b::a9fe:a9fe"),
  block("https://compat.example.test/", "resolves to ::a9fe:a9fe"),
  block("https://mixed.example.test/", "one public and one metadata answer"),
  // Public destinations, in IPv4 and IPv6 spellings.
  allow("http://93.184.216.34/", "public"),
  allow("http://1572395042/", "93.184.216.34 in decimal"),
  allow("http://8.8.8.8:8443/x", "public, explicit port"),
  allow("http://[::ffff:93.184.216.34]/", "IPv4-mapped public"),
  allow("http://[::ffff:5db8:d822]/", "IPv4-mapped public, hex"),
  allow("http://[64:ff9b::93.184.216.34]/", "NAT64 public"),
  allow("http://[64:ff9b:1::5db8:d822]/", "local-use NAT64 public, /96 layout"),
  allow("http://[2002:5db8:d822::1]/", "6to4 public"),
  allow("http://[2001:0:4136:e378:8000:63bf:a247:27dd]/", "Teredo, public server and client"),
  allow("http://[2606:2800:220:1:248:1893:25c8:1946]/", "global unicast"),
  allow("https://public.example.test/", "resolves to a public IPv4"),
  allow("https://public6.example.test/", "resolves to a public IPv6"),
];

/** Judged with ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8,fd00::/8: an allowed IPv4 range covers its IPv6 forms. */
export const ALLOWED_NETWORKS_CORPUS = {
  allowedNetworks: ["127.0.0.0/8", "fd00::/8"],
  entries: [
    allow("http://127.0.0.1/", "allowed loopback"),
    allow("http://2130706433/", "allowed loopback, decimal"),
    allow("http://[::ffff:127.0.0.1]/", "allowed loopback, IPv4-mapped"),
    allow("http://[::127.0.0.1]/", "allowed loopback, IPv4-compatible"),
    allow("http://[64:ff9b::7f00:1]/", "allowed loopback, NAT64"),
    allow("http://localhost./", "localhost is 127.0.0.1"),
    allow("http://[fd00:ec2::254]/", "inside the allowed fd00::/8"),
    block("http://[::1]/", "IPv6 loopback is not in 127.0.0.0/8"),
    block("http://10.0.0.1/", "private, not allowed"),
    block("http://[::ffff:10.0.0.1]/", "IPv4-mapped private, not allowed"),
    block("http://[fc00::1]/", "unique-local outside fd00::/8"),
    block("http://[::169.254.169.254]/", "metadata stays blocked"),
    block("http://[::ffff:a9fe:a9fe]/", "IPv4-mapped metadata stays blocked"),
    block("http://0.0.0.0/", "unspecified is not loopback, even when loopback is allowed"),
  ] as CorpusEntry[],
};
