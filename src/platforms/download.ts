// Downloads a user's file from a platform (a Discord attachment URL, a Telegram file path) with a
// time limit and a size cap enforced while reading, so a wrong size claim cannot fill the memory.
import { UserError } from "#src/core/errors.ts";
import { formatBytes } from "#src/core/options.ts";

export interface DownloadLimits {
  /** Refused as soon as more than this arrives. */
  maxBytes: number;
  timeoutMs: number;
}

/** What the user sees when a file cannot be fetched (never the URL: it may carry a token). */
const unavailable = (name: string) =>
  new UserError("file_unavailable", `${name} could not be downloaded. Send it again in a moment.`);

export async function downloadFile(url: string, name: string, limits: DownloadLimits): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: "follow" });
  } catch {
    throw unavailable(name);
  }
  if (!response.ok || !response.body) throw unavailable(name);
  const tooLarge = () =>
    new UserError(
      "file_too_large",
      `${name} is larger than ${formatBytes(limits.maxBytes)}. Send a smaller file.`,
    );
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limits.maxBytes) {
    await response.body.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.byteLength;
      if (received > limits.maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw unavailable(name);
  }
  const data = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return data;
}
