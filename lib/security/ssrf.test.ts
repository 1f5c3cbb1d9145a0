import { describe, expect, it } from "vitest";
import { addressVerdict, BlockedRequestError, checkUrlShape, vetUrl, type LookupFn } from "./ssrf";

const strict = { allowedNetworks: [], allowInsecure: false };
const fakeDns =
  (table: Record<string, string[]>): LookupFn =>
  async (host) => {
    const addrs = table[host];
    if (!addrs) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return addrs.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

describe("addressVerdict", () => {
  it.each([
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.100.100.200",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1", "::1", "::", "fe80::1", "fd00:ec2::254", "fc00::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "ff02::1",
  ])("blocks %s", (ip) => {
    expect(addressVerdict(ip, strict)).toMatch(/address$/);
  });

  it.each(["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:8.8.8.8"])("allows public %s", (ip) => {
    expect(addressVerdict(ip, strict)).toBeNull();
  });

  it("allows a private address inside ALLOWED_PRIVATE_NETWORKS, and only that one", () => {
    const policy = { allowedNetworks: ["127.0.0.0/8", "10.5.0.0/16"] };
    expect(addressVerdict("127.0.0.1", policy)).toBeNull();
    expect(addressVerdict("::ffff:127.0.0.1", policy)).toBeNull();
    expect(addressVerdict("10.5.9.9", policy)).toBeNull();
    expect(addressVerdict("10.6.0.1", policy)).toMatch(/private-network/);
    expect(addressVerdict("::1", policy)).toMatch(/loopback/);
  });
});

describe("checkUrlShape", () => {
  it("requires https unless insecure URLs are allowed", () => {
    expect(() => checkUrlShape("http://example.com/hook", strict)).toThrow(/https/);
    expect(checkUrlShape("http://example.com/hook", { ...strict, allowInsecure: true }).host).toBe("example.com");
  });
  it("refuses other schemes, credentials in the URL and literal private IPs", () => {
    expect(() => checkUrlShape("ftp://example.com", strict)).toThrow(BlockedRequestError);
    expect(() => checkUrlShape("https://u:p@example.com", strict)).toThrow(/credentials/i);
    expect(() => checkUrlShape("https://[::1]/x", strict)).toThrow(/loopback/);
    expect(() => checkUrlShape("https://2130706433/x", strict)).toThrow(/loopback/); // decimal form of 127.0.0.1
    expect(() => checkUrlShape("not a url", strict)).toThrow(/spaces or control characters/);
    expect(() => checkUrlShape("notaurl", strict)).toThrow(/absolute URL/);
    expect(() => checkUrlShape("https://example.com:0/x", strict)).toThrow(/port from 1 to 65535/);
  });
});

describe("vetUrl with an injected DNS lookup", () => {
  it("returns the vetted address to connect to", async () => {
    const { address } = await vetUrl("https://hooks.example.com/x", strict, fakeDns({ "hooks.example.com": ["93.184.216.34"] }));
    expect(address).toEqual({ address: "93.184.216.34", family: 4 });
  });
  it("blocks a name that resolves to a private address", async () => {
    await expect(vetUrl("https://internal.example.com", strict, fakeDns({ "internal.example.com": ["10.0.0.5"] }))).rejects.toMatchObject({ reason: "blocked_address" });
  });
  it("blocks a name whose answers mix public and private addresses", async () => {
    await expect(vetUrl("https://mixed.example.com", strict, fakeDns({ "mixed.example.com": ["93.184.216.34", "127.0.0.1"] }))).rejects.toThrow(/loopback/);
  });
  it("says in a sentence which address a name resolves to and why it is refused", async () => {
    await expect(vetUrl("https://internal.example.com", strict, fakeDns({ "internal.example.com": ["10.0.0.5"] }))).rejects.toThrow(
      "Blocked: internal.example.com resolves to 10.0.0.5, which is a private-network address",
    );
    await expect(vetUrl("https://mapped.example.com", strict, fakeDns({ "mapped.example.com": ["::ffff:7f00:1"] }))).rejects.toThrow(
      "Blocked: mapped.example.com resolves to ::ffff:7f00:1, which carries 127.0.0.1 (IPv4-mapped), a loopback address",
    );
    await expect(vetUrl("https://zero.example.com", strict, fakeDns({ "zero.example.com": ["0.0.0.0"] }))).rejects.toThrow(
      "Blocked: zero.example.com resolves to 0.0.0.0, which is an unspecified address",
    );
    expect(() => checkUrlShape("https://[::ffff:0:0]/", strict)).toThrow("Blocked: ::ffff:0:0 carries 0.0.0.0 (IPv4-mapped), an unspecified address");
  });
  it("reports DNS failures as such", async () => {
    await expect(vetUrl("https://nx.example.com", strict, fakeDns({}))).rejects.toMatchObject({ reason: "dns" });
  });
});
