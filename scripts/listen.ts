// The web server's port: listening on it, saying plainly why it cannot, and telling `npm start`
// (scripts/start.ts) that this server, not another program, now listens there. npm start says the
// app is ready only on that message, which comes over the IPC channel it opened to the server: an
// answer on the port could come from any program already holding it.
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";

interface Listening {
  leadhooks: "listening";
  port: number;
}

/** What the person starting the app needs to read when the server cannot listen on PORT. */
export function listenProblem(err: unknown, port: number, hostname: string | undefined): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const on = hostname ? ` on ${hostname}` : "";
  if (code === "EADDRINUSE")
    return `Port ${port}${on} is already in use by another program, so Leadhooks cannot listen on it. Stop that program, or set PORT to a free port (for example PORT=${port === 65535 ? port - 1 : port + 1}).`;
  if (code === "EACCES") return `Leadhooks is not allowed to listen on port ${port}${on} (ports below 1024 need privileges): set PORT to a port from 1024 up.`;
  return `Leadhooks cannot listen on port ${port}${on} (PORT${hostname ? ", HOSTNAME" : ""}): ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * The address to listen on for HOSTNAME: an IPv6 literal may be written in brackets, as in a URL
 * ("[::]", "[::1]"), which Node would look up as a host name and not find.
 */
export function listenAddress(hostname: string | undefined): string | undefined {
  return hostname?.replace(/^\[([0-9A-Fa-f:.]+(%[^\]]+)?)\]$/, "$1");
}

/** Whether the server listens on every interface for HOSTNAME (unset, 0.0.0.0, ::, or [::]). */
export function listensEverywhere(hostname: string | undefined): boolean {
  const host = listenAddress(hostname);
  return !host || host === "0.0.0.0" || host === "::";
}

/** This machine's first external IPv4 address, where other machines reach a server listening everywhere. */
export function networkAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal)?.address;
}

/** Listens as the web server does; rejects with listenProblem's explanation. */
export function listen(server: Server, port: number, hostname: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => reject(new Error(listenProblem(err, port, hostname)));
    server.once("error", failed);
    server.listen(port, listenAddress(hostname), () => {
      server.off("error", failed);
      resolve();
    });
  });
}

/**
 * Rejects with listenProblem's explanation when the server could not listen where it will: npm
 * start asks before the build, which takes minutes. The server's own listen still decides (the port
 * may be taken in between).
 */
export async function checkCanListen(port: number, hostname: string | undefined): Promise<void> {
  const probe = createServer();
  await listen(probe, port, hostname);
  await new Promise((resolve) => probe.close(resolve));
}

/** The server, once it listens: tells npm start, when npm start started it (else nothing). */
export function tellStartListening(port: number): void {
  const message: Listening = { leadhooks: "listening", port };
  // The callback takes a failure to send (npm start gone meanwhile) instead of an 'error' event.
  if (process.send && process.connected) process.send(message, undefined, undefined, () => {});
}

export function isListeningMessage(message: unknown, port: number): boolean {
  const m = message as Partial<Listening> | null;
  return typeof m === "object" && m !== null && m.leadhooks === "listening" && m.port === port;
}

/**
 * Started by npm start, the server stops (gracefully, by `stop`) once npm start is gone, even one
 * killed with SIGKILL: nothing would stop it otherwise. Started otherwise, nothing changes.
 */
export function stopWithStart(stop: () => void): void {
  if (!process.send) return;
  if (process.connected) process.once("disconnect", stop);
  else stop();
}
