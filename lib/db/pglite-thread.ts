import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { messages, Mutex, type PGlite, type QueryOptions, type Results } from "@electric-sql/pglite";
import { PGliteWorker } from "@electric-sql/pglite/worker";

// PGlite on a thread of its own. PGlite runs PostgreSQL compiled to WebAssembly, synchronously, on
// the thread that calls it: in one process serving leads, every statement stopped everything else
// (HTTP, rendering, signing, sending) for its whole run, about half of that thread's time under
// load. Here the database runs on a worker thread of the same process, and this thread only
// frames the protocol's messages and reads the results, so the two work at once on two cores.
//
// The split is at PGlite's own seam: its query(), exec() and transaction() (BasePGlite, which
// PGlite and PGliteWorker both extend) are written over execProtocol* calls; this class extends
// that same base and sends those calls to the thread, which runs them on a real PGlite. Queries,
// parameters, type parsing, errors (DatabaseError, rebuilt here with every field) and transaction
// handling are therefore PGlite's own, on either side. One statement runs at a time, in order
// (the locks are this side's, as in PGlite). The data directory, its lock and durability are as
// before: the same PGlite writes the same files, only from another thread of the process.

type Backend = messages.BackendMessage;

/** What BasePGlite provides to a subclass (it is not exported by name; PGliteWorker extends it). */
interface PGliteBase {
  serializers: PGlite["serializers"];
  parsers: PGlite["parsers"];
  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(text: string, options?: QueryOptions): Promise<Results[]>;
  transaction: PGlite["transaction"];
  _initArrayTypes(): Promise<void>;
}
const BasePGlite = Object.getPrototypeOf(PGliteWorker) as abstract new () => PGliteBase;

// Runs on the database's thread: opens PGlite, then runs each request in the order it came.
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const failure = (messages, err) =>
  err instanceof messages.DatabaseError
    ? { database: { ...err, message: err.message } }
    : { message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined };
(async () => {
  const { PGlite, messages } = require(workerData.entry);
  let db;
  try {
    const { dataDir, template } = workerData;
    db = dataDir ? new PGlite(dataDir) : new PGlite(template ? { loadDataDir: new Blob([template]) } : undefined);
    await db.waitReady;
  } catch (err) {
    parentPort.postMessage({ ready: false, error: failure(messages, err) });
    return;
  }
  const handle = async (m) => {
    // Notices (RAISE NOTICE, warnings) go back with the answer, for the caller's onNotice.
    const notices = m.notices ? [] : undefined;
    const onNotice = notices && ((n) => notices.push({ ...n, message: n.message }));
    switch (m.op) {
      case "stream":
        return { messages: await db.execProtocolStream(m.bytes, { syncToFs: m.syncToFs, onNotice }), notices };
      case "protocol": {
        const { messages, data } = await db.execProtocol(m.bytes, { syncToFs: m.syncToFs, onNotice });
        return m.data ? { messages, bytes: data.slice(), notices } : { messages, notices };
      }
      case "raw":
        return { bytes: await db.execProtocolRaw(m.bytes, { syncToFs: m.syncToFs }) };
      case "dump": {
        const dump = await db.dumpDataDir(m.compression);
        return { bytes: new Uint8Array(await dump.arrayBuffer()), name: dump.name, type: dump.type };
      }
      case "close":
        if (!db.closed) await db.close();
        return {};
      default:
        throw new Error("unknown request " + m.op);
    }
  };
  let last = Promise.resolve();
  parentPort.on("message", (m) => {
    last = last.then(() => handle(m)).then(
      (ok) => parentPort.postMessage({ id: m.id, ok }, ok.bytes ? [ok.bytes.buffer] : []),
      (err) => parentPort.postMessage({ id: m.id, error: failure(messages, err) }),
    ).then(() => { if (m.op === "close") parentPort.close(); });
  });
  parentPort.postMessage({ ready: true });
})();
`;

/**
 * Where the thread loads PGlite from: the package this app depends on, found from this module (an
 * ES module, bundled or not), else from the script the process runs, else from the working
 * directory (the thread's code is evaluated, so it has no location of its own to resolve from).
 */
function pgliteEntry(): string {
  const from = [() => import.meta.url, () => process.argv[1], () => path.join(process.cwd(), "package.json")];
  for (const base of from) {
    try {
      const at = base();
      if (at) return createRequire(at).resolve("@electric-sql/pglite");
    } catch {
      // not resolvable from there: the next place
    }
  }
  throw new Error("PGlite (@electric-sql/pglite) is not installed where this app runs: run npm install");
}

type Failure = { database?: Record<string, unknown> & { message: string; length: number; name: messages.MessageName } } & { message?: string; stack?: string };
type Notice = messages.NoticeMessage;
type Reply = { id: number; ok?: { messages?: Backend[]; bytes?: Uint8Array; notices?: Notice[]; name?: string; type?: string }; error?: Failure };
type ProtocolOptions = { syncToFs?: boolean; onNotice?: (notice: Notice) => void };

/** The error the thread reported, as this thread's class (a DatabaseError keeps its SQLSTATE and every other field). */
function rebuilt(f: Failure): Error {
  if (f.database) {
    const { message, length, name, ...fields } = f.database;
    return Object.assign(new messages.DatabaseError(message, length, name), fields);
  }
  const err = new Error(f.message ?? "PGlite's thread failed");
  if (f.stack) err.stack = f.stack;
  return err;
}

export class PGliteThread extends BasePGlite {
  readonly debug = 0 as const;
  readonly waitReady: Promise<void>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(r: NonNullable<Reply["ok"]>): void; reject(e: Error): void }>();
  private nextId = 1;
  private isReady = false;
  private isClosed = false;
  private dead: Error | null = null;
  private readonly queryLock = new Mutex();
  private readonly transactionLock = new Mutex();

  /** `dataDir`: a data directory (null: in memory); `template`: an in-memory database's starting data directory (a PGlite dump). */
  constructor(dataDir: string | null, template?: ArrayBuffer) {
    super();
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { entry: pgliteEntry(), dataDir, template }, transferList: template ? [template] : [] });
    this.worker = worker;
    worker.unref();
    let opened: (ok: boolean, error?: Failure) => void = () => {};
    const started = new Promise<void>((resolve, reject) => {
      opened = (ok, error) => (ok ? resolve() : reject(rebuilt(error ?? {})));
    });
    worker.on("message", (m: Reply & { ready?: boolean }) => {
      if (m.ready !== undefined) return opened(m.ready, m.error);
      const waiting = this.pending.get(m.id);
      if (!waiting) return;
      this.pending.delete(m.id);
      if (!this.pending.size) worker.unref();
      if (m.error) waiting.reject(rebuilt(m.error));
      else waiting.resolve(m.ok!);
    });
    const stopped = (err: Error) => {
      this.dead ??= err;
      opened(false, { message: err.message });
      for (const w of this.pending.values()) w.reject(err);
      this.pending.clear();
    };
    worker.on("error", stopped);
    worker.on("exit", (code) => stopped(new Error(this.isClosed ? "PGlite is closed" : `PGlite's thread stopped (exit code ${code})`)));
    this.waitReady = (async () => {
      worker.ref();
      try {
        await started;
      } finally {
        worker.unref();
      }
      this.isReady = true;
      await this._initArrayTypes();
    })();
  }

  get ready(): boolean {
    return this.isReady && !this.isClosed;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  private request(op: string, fields: Record<string, unknown> = {}): Promise<NonNullable<Reply["ok"]>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref(); // an answer awaited keeps the process alive
      this.worker.postMessage({ id, op, ...fields });
    });
  }

  /** A protocol request whose notices, when the caller listens for them, come back with it and are told to it. */
  private async protocol(op: "stream" | "protocol", bytes: Uint8Array, { syncToFs = true, onNotice }: ProtocolOptions, data = false) {
    const answer = await this.request(op, { bytes, syncToFs, notices: !!onNotice, data });
    answer.notices?.forEach((n) => onNotice!(n));
    return answer;
  }

  // The messages come back as plain objects with the protocol's fields (their classes do not cross
  // threads); PGlite's own parsing reads them by their `name`, as it reads its own.
  async execProtocolStream(bytes: Uint8Array, options: ProtocolOptions = {}): Promise<Backend[]> {
    return (await this.protocol("stream", bytes, options)).messages!;
  }

  async execProtocol(bytes: Uint8Array, options: ProtocolOptions = {}): Promise<{ messages: Backend[]; data: Uint8Array }> {
    const answer = await this.protocol("protocol", bytes, options, true);
    return { messages: answer.messages!, data: answer.bytes ?? new Uint8Array(0) };
  }

  async execProtocolRaw(bytes: Uint8Array, { syncToFs = true }: { syncToFs?: boolean } = {}): Promise<Uint8Array> {
    return (await this.request("raw", { bytes, syncToFs })).bytes!;
  }

  /**
   * Sends a whole exchange (ending in Sync) at once and returns the promise of its messages. The
   * caller holds the locks only while it sends: the thread runs requests in the order they were
   * sent, so whatever is sent later (another statement, a transaction's BEGIN) runs after this
   * one, and statements sent back to back keep the thread busy instead of waiting for this side.
   */
  sendInOrder(bytes: Uint8Array): Promise<Backend[]> {
    return this.request("protocol", { bytes, syncToFs: true }).then((r) => r.messages!);
  }

  execProtocolRawStream(): Promise<void> {
    return Promise.reject(new Error("PGliteThread: execProtocolRawStream is not supported"));
  }

  // The thread's PGlite keeps its files on the real file system (a data directory) or in memory,
  // whose syncToFs does nothing (PGlite writes the files as statements run; the call matters for
  // the browser's IndexedDB and OPFS file systems): it is not sent, which saves every Prisma query
  // a round trip to the thread.
  async syncToFs(): Promise<void> {
    await this._checkReady();
  }

  async dumpDataDir(compression: "none" | "gzip" | "auto" = "none"): Promise<File | Blob> {
    await this._checkReady();
    const { bytes, name, type } = await this.request("dump", { compression });
    const data = [bytes! as Uint8Array<ArrayBuffer>];
    return name ? new File(data, name, { type }) : new Blob(data, { type });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    await this.waitReady.catch(() => {});
    // After whatever runs now: the locks are taken in the order query() takes them.
    await this._runExclusiveTransaction(() =>
      this._runExclusiveQuery(async () => {
        this.isClosed = true;
        if (!this.dead) await this.request("close").catch(() => {});
      }),
    );
    await this.worker.terminate();
  }

  async _checkReady(): Promise<void> {
    if (this.isClosed) throw new Error("PGlite is closed");
    if (!this.isReady) await this.waitReady;
  }

  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T> {
    return this.queryLock.runExclusive(fn);
  }

  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.transactionLock.runExclusive(fn);
  }

  // Files attached to a query (COPY … TO/FROM '/dev/blob'): not used by Leadhooks.
  async _handleBlob(blob?: Blob): Promise<void> {
    if (blob) throw new Error("PGliteThread: queries with a blob are not supported");
  }

  async _getWrittenBlob(): Promise<undefined> {
    return undefined;
  }

  async _cleanupBlob(): Promise<void> {}

  // Files attached to a statement (COPY … FROM/TO '/dev/blob') would have to cross to the thread and
  // back; nothing here uses them, so such a statement is refused rather than run without its file.
  override async query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    refuseBlob(text);
    return super.query<T>(text, params, options);
  }

  override async exec(text: string, options?: QueryOptions): Promise<Results[]> {
    refuseBlob(text);
    return super.exec(text, options);
  }

  // Notifications: the app wakes its own dispatcher in-process (lib/delivery/wake.ts).
  listen(): Promise<never> {
    return Promise.reject(new Error("PGliteThread: LISTEN is not supported (the process signals itself; lib/delivery/wake.ts)"));
  }

  unlisten(): Promise<never> {
    return this.listen();
  }

  onNotification(): never {
    throw new Error("PGliteThread: notifications are not supported (the process signals itself; lib/delivery/wake.ts)");
  }

  offNotification(): void {}
}

function refuseBlob(text: string): void {
  if (text.includes("/dev/blob")) throw new Error("PGliteThread: COPY to or from '/dev/blob' is not supported");
}

/** Opens PGlite on its own thread and waits until it is ready. */
export async function openPgliteThread(dataDir: string | null, template?: Blob): Promise<PGlite> {
  const db = new PGliteThread(dataDir, template ? await template.arrayBuffer() : undefined);
  try {
    await db.waitReady;
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db as unknown as PGlite;
}
