// REST calls made with an interaction's token (its callback, and the edits and follow-ups on
// webhooks/{application}/{token}) go through a REST client of their own. Discord does not count
// them against the bot's global rate limit ("Interaction endpoints are not bound to the bot's
// Global Rate Limit": https://discord.com/developers/docs/topics/rate-limits#global-rate-limit),
// but @discordjs/rest applies its global limit (50 requests a second by default) to every request
// of a client, which capped a busy bot at about 50 answers a second. The separate client has no
// global limit of its own; it still keeps Discord's per-route buckets and waits out every 429.
import { REST } from "discord.js";

type QueuedRequest = Parameters<REST["queueRequest"]>[0];

/**
 * How often idle handlers are dropped. @discordjs/rest keys a handler by the webhook id and token,
 * so every deferred interaction leaves one behind (about 1.3 KiB), and its default hourly sweep let
 * a bot deferring 300 answers a second hold about a million of them. A handler is only swept when
 * it has nothing queued and no rate limit pending, so a short interval drops nothing in use; a
 * later call with the same token starts a fresh handler, which learns the route's bucket again.
 */
const HANDLER_SWEEP_MS = 15 * 1000;

/** Whether `request` is made with an interaction's token rather than the bot's. */
export function isInteractionTokenRequest(request: Pick<QueuedRequest, "fullRoute" | "auth">): boolean {
  return (
    request.auth === false &&
    (/^\/webhooks\/\d+\/[^/]+(\/|$)/.test(request.fullRoute) ||
      /^\/interactions\/\d+\/[^/]+\/callback$/.test(request.fullRoute))
  );
}

/** Sends `rest`'s interaction-token requests through a REST client free of the global limit. */
export function routeInteractionRequests(
  rest: REST,
  apiBase: string,
  handlerSweepMs = HANDLER_SWEEP_MS,
): REST {
  const interactions = new REST({
    api: apiBase,
    globalRequestsPerSecond: Number.POSITIVE_INFINITY,
    handlerSweepInterval: handlerSweepMs,
  });
  const queue = rest.queueRequest.bind(rest);
  rest.queueRequest = (request) =>
    isInteractionTokenRequest(request) ? interactions.queueRequest(request) : queue(request);
  return interactions;
}
