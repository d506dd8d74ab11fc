// Uploads are prepared (prepare.ts: unzip, parse, label, digest) on a worker thread, so a 16 MB log
// costs other members nothing: the bot's event loop only waits for the answer (issue 11). One
// thread, started on the first upload and kept; uploads queue for it in order. A thread that dies
// fails the uploads it held (an internal error, logged by the dispatcher) and the next upload starts
// a new one. The farmer's mistakes come back as the same UserError the parser threw.
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { UserError } from "../core/errors.ts";
import type { DemonstrationLimits } from "./parse.ts";
import type { PrepareRequest, PrepareResponse } from "./prepare-worker.ts";
import type { PreparedDemonstration, UploadedFile } from "./types.ts";

interface Pending {
  resolve(prepared: PreparedDemonstration): void;
  reject(error: Error): void;
}

export class PrepareThread {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(private readonly limits: DemonstrationLimits) {}

  prepare(files: readonly UploadedFile[]): Promise<PreparedDemonstration> {
    const worker = this.#started();
    const id = this.#nextId++;
    return new Promise<PreparedDemonstration>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // While an upload is out, the thread keeps the process alive (a console script waits for it).
      worker.ref();
      const request: PrepareRequest = {
        id,
        files: files.map((file) => ({ name: file.name, bytes: file.bytes })),
        limits: this.limits,
      };
      worker.postMessage(request);
    });
  }

  /** Stops the thread; uploads it held fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#stopped(worker, new Error("the upload was stopped: the bot is shutting down"));
    await worker.terminate();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker();
    worker.on("message", (response: PrepareResponse) => this.#answered(worker, response));
    worker.on("error", (error) => this.#stopped(worker, error));
    worker.on("exit", (code) =>
      this.#stopped(worker, new Error(`the upload worker thread exited (code ${code})`)),
    );
    this.#worker = worker;
    return worker;
  }

  #answered(worker: Worker, response: PrepareResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    this.#pending.delete(response.id);
    if (this.#pending.size === 0) worker.unref();
    if (response.ok) pending.resolve(response.prepared);
    else if ("userError" in response) {
      const { code, message, details } = response.userError;
      pending.reject(new UserError(code, message, details));
    } else {
      const error = new Error(`preparing the upload failed: ${response.failure.message}`);
      if (response.failure.stack) error.stack = response.failure.stack;
      pending.reject(error);
    }
  }

  #stopped(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/**
 * The worker runs prepare-worker beside this file. The bot runs its TypeScript through tsx, whose
 * loader a worker's entry does not get; tsx's API loads the entry for it.
 */
function startWorker(): Worker {
  const extension = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./prepare-worker${extension}`, import.meta.url).href;
  if (extension !== ".ts") return new Worker(new URL(entry));
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`,
    { eval: true, execArgv: [] },
  );
}
