// Discord's "Interactions Endpoint URL": Discord POSTs each interaction here instead of sending it
// over the gateway. Every request is signed: Ed25519 over timestamp + body with the application's
// key, checked against DISCORD_PUBLIC_KEY; anything else gets 401 (Discord itself sends bad
// signatures to check that). The first answer is the HTTP response: the command's own answer when
// it is ready within DISCORD_INLINE_ANSWER_MS (type 4; with files, multipart/form-data with
// payload_json and files[n], as for Create Interaction Response), else a deferral (type 5) and the
// answer edited in over REST later. Any replica behind a load balancer can serve any request:
// nothing is kept between requests.
// https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint
// https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction
// https://discord.com/developers/docs/reference#uploading-files
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type APIInteractionResponse,
  type Client,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
} from "discord.js";
import type { Logger } from "#src/log.ts";
import { readBody } from "../http-server.ts";
import { interactionShapeProblem } from "./interaction-shape.ts";
import type { Acknowledger, DiscordFrontEnd } from "./interactions.ts";
import type { DiscordFile, DiscordMessage } from "./render.ts";

/** Interaction payloads are a few kilobytes; anything far larger is not from Discord. */
const MAX_BODY_BYTES = 1024 * 1024;
/** A signed request older (or newer) than this is refused, so a captured one cannot be replayed later. */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export function discordPublicKey(hex: string): KeyObject {
  return createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(hex, "hex").toString("base64url") },
    format: "jwk",
  });
}

/** Whether `signature` (hex) is the application's signature of timestamp + body. */
export function verifyDiscordSignature(
  key: KeyObject,
  signature: string | undefined,
  timestamp: string | undefined,
  body: Buffer,
): boolean {
  if (!signature || !timestamp || !/^[0-9a-f]{128}$/i.test(signature)) return false;
  try {
    return verify(null, Buffer.concat([Buffer.from(timestamp), body]), key, Buffer.from(signature, "hex"));
  } catch {
    return false;
  }
}

export interface InteractionsEndpointOptions {
  client: Client;
  front: DiscordFrontEnd;
  publicKey: string;
  log: Logger;
  /** Unix seconds now; for the replay window. */
  nowSeconds?: () => number;
  /**
   * How long a command may take to be answered in the HTTP response itself (DISCORD_INLINE_ANSWER_MS);
   * a slower one is deferred. Discord waits 3 seconds for the response, network included.
   */
  inlineAnswerMs?: number;
}

/** The default for DISCORD_INLINE_ANSWER_MS. */
export const DEFAULT_INLINE_ANSWER_MS = 2000;

export function interactionsEndpoint(options: InteractionsEndpointOptions) {
  const key = discordPublicKey(options.publicKey);
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Discord's 3 seconds run from before the request got here: the budget counts from its arrival,
    // not from when the command started (reading, verifying and queueing it take time under load).
    const receivedAt = performance.now();
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body) return send(413, { error: "request too large" });
    const signature = header(req, "x-signature-ed25519");
    const timestamp = header(req, "x-signature-timestamp");
    if (!verifyDiscordSignature(key, signature, timestamp, body))
      return send(401, { error: "invalid request signature" });
    // Discord sends Unix seconds; anything else (signed or not) cannot be placed in the replay window.
    if (!/^\d{1,12}$/.test(timestamp!)) return send(401, { error: "request timestamp is not Unix seconds" });
    if (Math.abs(now() - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS)
      return send(401, { error: "request timestamp too old" });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return send(400, { error: "body is not JSON" });
    }
    // Signed is not the same as well formed: discord.js would throw on a body without the fields it reads.
    const problem = interactionShapeProblem(parsed);
    if (problem) return send(400, { error: `not an interaction: ${problem}` });
    const interaction = parsed as { id: string; type: InteractionType };
    if (interaction.type === InteractionType.Ping) return send(200, { type: InteractionResponseType.Pong });

    const { acknowledger, response, delivered } = httpAcknowledger(
      receivedAt + (options.inlineAnswerMs ?? DEFAULT_INLINE_ANSWER_MS),
    );
    // Follow-ups must not overtake the answer they follow: they wait until it has gone out (or the
    // connection is gone, so they never wait forever).
    res.once("close", delivered);
    const handled = options.front.feed(options.client, interaction, acknowledger);
    // If the front end answered nothing (a redelivery it already handled), the request still gets
    // the neutral acknowledgement Discord expects for that kind of interaction.
    void handled?.finally(() => acknowledger.fallback(interaction.type));
    if (!handled) acknowledger.fallback(interaction.type);
    const { body: answer, files } = await response;
    if (files.length === 0) return send(200, answer);
    const form = await multipart(answer, files);
    res.writeHead(200, { "content-type": form.contentType }).end(form.body);
  };
}

/** An interaction response with files: payload_json plus files[n], n matching attachments[].id. */
async function multipart(
  answer: APIInteractionResponse,
  files: DiscordFile[],
): Promise<{ contentType: string; body: Buffer }> {
  const form = new FormData();
  form.append("payload_json", JSON.stringify(answer));
  files.forEach((file, n) => {
    form.append(`files[${n}]`, new Blob([file.data]), file.name);
  });
  const encoded = new Response(form);
  return {
    contentType: encoded.headers.get("content-type")!,
    body: Buffer.from(await encoded.arrayBuffer()),
  };
}

/** A command's answer as the data of a type 4 response. */
function messageData(message: DiscordMessage, ephemeral: boolean) {
  return {
    embeds: message.embeds,
    components: message.components,
    allowed_mentions: { parse: [] },
    attachments: message.files.map((file, n) => ({
      id: String(n),
      filename: file.name,
      ...(file.description ? { description: file.description } : {}),
    })),
    ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

interface HttpAnswer {
  body: APIInteractionResponse;
  /** Files the body's attachments refer to; the response is then multipart. */
  files: DiscordFile[];
}

/** An acknowledger whose first answer becomes the HTTP response body. */
function httpAcknowledger(answerBy: number): {
  acknowledger: Acknowledger & { fallback(type: InteractionType): void };
  response: Promise<HttpAnswer>;
  /** Call once the HTTP response has been sent. */
  delivered: () => void;
} {
  let delivered!: () => void;
  const sent = new Promise<void>((r) => {
    delivered = r;
  });
  let resolve!: (answer: HttpAnswer) => void;
  let answered = false;
  const response = new Promise<HttpAnswer>((r) => {
    resolve = r;
  });
  const answer = (body: APIInteractionResponse, files: DiscordFile[] = []) => {
    if (answered) throw new Error("this interaction was already answered");
    answered = true;
    resolve({ body, files });
  };
  return {
    response,
    delivered,
    acknowledger: {
      answerBy,
      async reply(interaction, message, ephemeral) {
        answer(
          { type: InteractionResponseType.ChannelMessageWithSource, data: messageData(message, ephemeral) },
          message.files,
        );
        // discord.js follows up over REST from now on, as after a reply over the gateway.
        interaction.replied = true;
        interaction.ephemeral = ephemeral;
        await sent;
      },
      async deferReply(interaction, ephemeral) {
        answer({
          type: InteractionResponseType.DeferredChannelMessageWithSource,
          ...(ephemeral ? { data: { flags: MessageFlags.Ephemeral } } : {}),
        });
        // discord.js now edits and follows up over REST, as after a deferral over the gateway.
        interaction.deferred = true;
        interaction.ephemeral = ephemeral;
        await sent;
      },
      async deferUpdate(interaction) {
        answer({ type: InteractionResponseType.DeferredMessageUpdate });
        interaction.deferred = true;
        await sent;
      },
      async autocomplete(interaction, choices) {
        answer({ type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } });
        interaction.responded = true;
      },
      async unsupported() {
        answer({
          type: InteractionResponseType.ChannelMessageWithSource,
          data: { content: "This is not something Forgebot handles.", flags: MessageFlags.Ephemeral },
        });
      },
      fallback(type) {
        if (answered) return;
        if (type === InteractionType.ApplicationCommandAutocomplete)
          answer({
            type: InteractionResponseType.ApplicationCommandAutocompleteResult,
            data: { choices: [] },
          });
        else if (type === InteractionType.MessageComponent)
          answer({ type: InteractionResponseType.DeferredMessageUpdate });
        else answer({ type: InteractionResponseType.DeferredChannelMessageWithSource });
      },
    },
  };
}
