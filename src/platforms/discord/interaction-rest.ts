// REST calls made with an interaction's token (its callback, and the edits and follow-ups on
// webhooks/{application}/{token}) go through a REST client of their own. Discord does not count
// them against the bot's global rate limit ("Interaction endpoints are not bound to the bot's
// Global Rate Limit": https://discord.com/developers/docs/topics/rate-limits#global-rate-limit),
// but @discordjs/rest applies its global limit (50 requests a second by default) to every request
// of a client, which capped a busy bot at about 50 answers a second. The separate client has no
// global limit of its own; it still keeps Discord's per-route buckets and waits out every 429.
import { REST } from "discord.js";

type QueuedRequest = Parameters<REST["queueRequest"]>[0];

/** How often idle per-token handlers are dropped: each interaction token gets one (default: hourly). */
const HANDLER_SWEEP_MS = 5 * 60 * 1000;

/** Whether `request` is made with an interaction's token rather than the bot's. */
export function isInteractionTokenRequest(request: Pick<QueuedRequest, "fullRoute" | "auth">): boolean {
  return (
    request.auth === false &&
    (/^\/webhooks\/\d+\/[^/]+(\/|$)/.test(request.fullRoute) ||
      /^\/interactions\/\d+\/[^/]+\/callback$/.test(request.fullRoute))
  );
}

/** Sends `rest`'s interaction-token requests through a REST client free of the global limit. */
export function routeInteractionRequests(rest: REST, apiBase: string): REST {
  const interactions = new REST({
    api: apiBase,
    globalRequestsPerSecond: Number.POSITIVE_INFINITY,
    handlerSweepInterval: HANDLER_SWEEP_MS,
  });
  const queue = rest.queueRequest.bind(rest);
  rest.queueRequest = (request) =>
    isInteractionTokenRequest(request) ? interactions.queueRequest(request) : queue(request);
  return interactions;
}
