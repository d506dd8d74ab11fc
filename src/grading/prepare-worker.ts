// The worker thread's side of prepare-thread.ts: prepares each upload it is sent and answers with
// the result, or with the farmer's error (a UserError's code, message and details) or a failure.
import { parentPort } from "node:worker_threads";
import { isUserError } from "../core/errors.ts";
import type { DemonstrationLimits } from "./parse.ts";
import { prepareDemonstration } from "./prepare.ts";
import type { PreparedDemonstration, UploadedFile } from "./types.ts";

export interface PrepareRequest {
  id: number;
  files: UploadedFile[];
  limits: DemonstrationLimits;
}

export type PrepareResponse = { id: number } & (
  | { ok: true; prepared: PreparedDemonstration }
  | { ok: false; userError: { code: string; message: string; details?: Record<string, unknown> } }
  | { ok: false; failure: { message: string; stack?: string } }
);

const port = parentPort;
if (!port) throw new Error("prepare-worker.ts runs on a worker thread (see prepare-thread.ts)");
port.on("message", ({ id, files, limits }: PrepareRequest) => {
  let response: PrepareResponse;
  try {
    response = { id, ok: true, prepared: prepareDemonstration(files, limits) };
  } catch (error) {
    response = isUserError(error)
      ? {
          id,
          ok: false,
          userError: {
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
          },
        }
      : {
          id,
          ok: false,
          failure: { message: String((error as Error)?.message ?? error), stack: (error as Error)?.stack },
        };
  }
  port.postMessage(response);
});
