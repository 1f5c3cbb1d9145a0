import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { webNodeFlags } from "@/scripts/web-heap";
import { freePort, startStaged as start, stopStaged, type Staged as Started } from "../helpers/start-script";

// What `npm start` tells the person starting it: what it is doing while nothing listens (the
// build takes minutes), the URL only once the server answers, and which outbound safety rules
// the environment relaxes. `next` and the server are replaced by stand-ins whose build and listen
// the test releases (startStaged), so each step can be observed; everything else (env,
// migrations, setup check) is real.

const foreign: Server[] = [];
afterEach(async () => {
  stopStaged();
  await Promise.all(foreign.splice(0).map((srv) => new Promise((resolve) => srv.close(resolve))));
});

/** Another program's HTTP server on `port`, answering every request. */
async function anotherProgramOn(port: number): Promise<void> {
  const srv = createServer((req, res) => res.end("another program"));
  foreign.push(srv);
  await new Promise<void>((resolve, reject) => srv.once("error", reject).listen(port, resolve));
}

// Each test starts tsx, opens and migrates a fresh PGlite: ~5 s on a quiet machine, 30 s seen under load.
describe("npm start output", { timeout: 180_000 }, () => {
  it("says the build takes minutes, prints the URL only once the server answers, and names the relaxed destination rules", async () => {
    const s = await start({ ALLOW_INSECURE_URLS: "true", ALLOWED_PRIVATE_NETWORKS: "10.0.0.0/8, 127.0.0.0/8" });
    await s.until("[fake next] building");
    expect(s.output()).toContain("Warning: ALLOW_INSECURE_URLS is on: webhooks may be sent over plain http://");
    expect(s.output()).toContain("Warning: ALLOWED_PRIVATE_NETWORKS is set: webhooks may be sent to these private networks: 10.0.0.0/8, 127.0.0.0/8");
    expect(s.output()).toMatch(/Building the app \(first start\): this takes a few minutes/);
    expect(s.output()).toContain("not reachable until it is built");
    expect(s.output()).not.toContain(`http://localhost:${s.port}`);

    writeFileSync(path.join(s.dir, "release-build"), "");
    await s.until("[fake server] started, not listening yet");
    expect(s.output()).toMatch(/Built in \d+ s\. Starting the server…/);
    // Nothing listens yet, so no URL has been printed.
    expect(s.output()).not.toContain(`http://localhost:${s.port}`);

    writeFileSync(path.join(s.dir, "release-listen"), "");
    await s.until("/setup to create the first admin.");
    expect(s.output()).toContain(`Leadhooks is ready at http://localhost:${s.port}`);
    expect(s.output()).toContain(`No user yet: open http://localhost:${s.port}/setup to create the first admin.`);
    // The URL answers the moment it is printed.
    const res = await fetch(`http://localhost:${s.port}/setup`);
    expect(await res.text()).toBe("fake app");
  });

  it("listens on HOSTNAME=[::], an IPv6 address written in brackets as in a URL", async () => {
    const s = await start({ HOSTNAME: "[::]" });
    s.release();
    await s.until("Leadhooks is ready at");
    const res = await fetch(`http://[::1]:${s.port}/`);
    expect(await res.text()).toBe("fake app");
  });

  it("with HOSTNAME on a loopback address, the ready line names localhost only (no Network address is printed)", async () => {
    const s = await start({ HOSTNAME: "127.0.0.1" });
    s.release();
    await s.until("to create the first admin.");
    expect(s.output()).toMatch(new RegExp(`Leadhooks is ready at http://localhost:${s.port}\\.\\n`));
    expect(s.output()).not.toMatch(/Network/);
  });

  const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal)?.address;
  it.skipIf(!external)("with HOSTNAME on another address, the ready line and the setup link name that address", async () => {
    const s = await start({ HOSTNAME: external!, NEXTAUTH_URL: "" });
    s.release();
    await s.until("/setup to create the first admin.");
    expect(s.output()).toContain(`Leadhooks is ready at http://${external}:${s.port}.\n`);
    expect(s.output()).toContain(`No user yet: open http://${external}:${s.port}/setup to create the first admin.`);
    expect(s.output()).not.toContain("localhost");
  });

  it("stops before the build, naming the port and PORT, when another program holds the port, and never says it is ready", async () => {
    const port = await freePort();
    await anotherProgramOn(port);
    const s = await start({ PORT: String(port) });
    s.release(); // were it to build and serve, nothing would hold it back
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain(`Start-up failed: Port ${port} is already in use by another program, so Leadhooks cannot listen on it. Stop that program, or set PORT to a free port`);
    expect(s.output()).not.toMatch(/is ready at|Building|fake server/);
  });

  it("when another program takes the port while it builds: the server's failure ends npm start, which never says it is ready", async () => {
    const s = await start({});
    await s.until("[fake next] building");
    await anotherProgramOn(s.port); // answers every request on the port from now on
    s.release();
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain(`Server start-up failed: Port ${s.port} is already in use by another program`);
    expect(s.output()).not.toContain("is ready at");
  });

  it("stopping npm start during the build stops the build too (a process manager's SIGTERM leaves nothing running), and says it was stopped", async () => {
    const s = await start({});
    await s.until("[fake next] building");
    const buildPid = Number(readFileSync(path.join(s.dir, "build.pid"), "utf8"));
    s.child.kill("SIGTERM");
    // It says it was stopped, not that start-up failed, and exits as the signal's status.
    expect(await s.exited).toBe(143);
    expect(s.output()).toContain("Stopped by SIGTERM during the build.");
    expect(s.output()).not.toContain("Start-up failed");
    const alive = () => {
      try {
        process.kill(buildPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { timeout: 30_000, interval: 100 }).toBe(false);
  });

  // scripts/web-heap.ts: V8 grows the heap by less before it collects under a 512 MB limit than
  // under the default one (4 GB on a machine with 16 GB or more).
  const heapLimit = async (s: Started) => {
    await s.until("[fake next] building");
    writeFileSync(path.join(s.dir, "release-build"), "");
    await s.until("[fake server] started");
    return Number(/\[fake server\] heap limit (\d+) MB/.exec(s.output())?.[1]);
  };

  it("starts the server with a 512 MB old generation (its heap limit: that and the young generation)", async () => {
    const limit = await heapLimit(await start({}));
    expect(limit).toBeGreaterThanOrEqual(512);
    expect(limit).toBeLessThan(650);
  });

  it("leaves WebAssembly's optimizing compiler on with PGlite (PostgreSQL runs as WebAssembly in the process); on PostgreSQL, Liftoff only", async () => {
    const s = await start({});
    await heapLimit(s);
    expect(JSON.parse(/\[fake server\] flags (.*)/.exec(s.output())![1]!)).toEqual(["--max-old-space-size=512"]);
    // What npm start gives a server on PostgreSQL; this Node takes it.
    expect(webNodeFlags("postgres://leadhooks@db.internal/leadhooks", "")).toEqual(["--max-old-space-size=512", "--liftoff-only"]);
    expect(webNodeFlags("postgresql://leadhooks@localhost/leadhooks?host=/var/run/postgresql", "--max-old-space-size=900")).toEqual(["--liftoff-only"]);
    expect(webNodeFlags("pglite:./data/pglite", "")).toEqual(["--max-old-space-size=512"]);
    const node = spawnSync(process.execPath, [...webNodeFlags("postgres://x/y", ""), "-e", "process.stdout.write('ran')"], { encoding: "utf8" });
    expect([node.status, node.stdout, node.stderr]).toEqual([0, "ran", ""]);
  });

  it("keeps the heap limit an operator sets in NODE_OPTIONS", async () => {
    const limit = await heapLimit(await start({ NODE_OPTIONS: "--max-old-space-size=900" }));
    expect(limit).toBeGreaterThanOrEqual(900);
    expect(limit).toBeLessThan(1050);
  });

  it("says outbound webhooks are https-only with private addresses blocked when neither setting is on", async () => {
    const s = await start({});
    await s.until("[fake next] building");
    expect(s.output()).toContain("Outbound webhooks: https:// only; private, loopback and metadata addresses are blocked.");
    expect(s.output()).not.toContain("Warning:");
  });
});
