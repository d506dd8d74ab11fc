// A member's picture for their profile card, fetched at the edge (where the platform named it) with
// a size cap and a time limit. A card never fails for want of a picture: any problem means none.
import { downloadFile } from "./download.ts";

export const AVATAR_LIMITS = { maxBytes: 512 * 1024, timeoutMs: 3000 } as const;

export async function fetchAvatar(
  url: string | null | undefined,
  limits: { maxBytes: number; timeoutMs: number } = AVATAR_LIMITS,
): Promise<Uint8Array | undefined> {
  if (!url) return undefined;
  try {
    return await downloadFile(url, "The avatar", limits);
  } catch {
    return undefined;
  }
}
