// Discord at the edge of the network, on loopback: its REST API (every call recorded; answers shaped
// like Discord's) and its gateway (a WebSocket that says HELLO, takes IDENTIFY, sends READY, and then
// dispatches whatever the test sends, e.g. INTERACTION_CREATE). discord.js connects to it for real.
// https://discord.com/developers/docs/events/gateway#connection-lifecycle
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type CapturedRequest, Loopback } from "./loopback.ts";

export const APPLICATION_ID = "1255985704232554496";
export const BOT_TOKEN = "MTI1NTk4NTcwNDIzMjU1NDQ5Ng.GfakeX.this-is-a-test-token-not-a-real-one_x";

/** A server invite as the fake keeps it: tests raise `uses` as Discord does when someone joins. */
export interface FakeInvite {
  code: string;
  guildId: string;
  channelId: string;
  uses: number;
}

export interface FakeDiscord {
  rest: Loopback;
  /** Which server each channel belongs to (GET /channels/:id answers with it). */
  channels: Map<string, string>;
  /** Invites made through POST /channels/:id/invites, by code (GET /guilds/:id/invites lists them). */
  invites: Map<string, FakeInvite>;
  /** Files served at `${rest.url}/files/<name>` (Discord's CDN for attachments). */
  files: Map<string, Buffer>;
  /** Members whose DMs are closed: a message in their DM channel gets Discord's 50007. */
  closedDms: Set<string>;
  /** DISCORD_API_BASE for the client under test. */
  apiBase: string;
  /** Sends a gateway dispatch (op 0) to every connected client. */
  dispatch(type: string, data: unknown): void;
  /** Resolves once a client has identified (and been sent READY). */
  identified: Promise<void>;
  /** Every IDENTIFY payload's data received, in order (its `shard` says which shard connected). */
  identifies: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

function message(channelId: string, body: Record<string, unknown> | undefined, id: string) {
  return {
    id,
    channel_id: channelId,
    type: 0,
    content: (body?.content as string | undefined) ?? "",
    author: { id: APPLICATION_ID, username: "Forgebot", discriminator: "0", avatar: null, bot: true },
    embeds: body?.embeds ?? [],
    components: body?.components ?? [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: "2026-01-01T00:00:00.000Z",
    edited_timestamp: null,
    flags: (body?.flags as number | undefined) ?? 0,
  };
}

/** The invite object Discord returns (https://discord.com/developers/docs/resources/invite). */
function inviteJson(invite: FakeInvite) {
  return {
    type: 0,
    code: invite.code,
    guild: {
      id: invite.guildId,
      name: "Forge Farmers",
      splash: null,
      banner: null,
      icon: null,
      features: [],
    },
    channel: { id: invite.channelId, name: "general", type: 0 },
    inviter: { id: APPLICATION_ID, username: "Forgebot", discriminator: "0", avatar: null, bot: true },
    uses: invite.uses,
    max_uses: 0,
    max_age: 0,
    temporary: false,
    created_at: "2026-01-01T00:00:00.000000+00:00",
    expires_at: null,
  };
}

/** Server channels and invites: the routes invite tracking uses. */
function inviteAnswer(
  request: CapturedRequest,
  state: { channels: Map<string, string>; invites: Map<string, FakeInvite> },
) {
  const route = request.path.replace(/^\/api\/v10/, "");
  const channel = /^\/channels\/(\d+)$/.exec(route);
  if (request.method === "GET" && channel) {
    const guildId = state.channels.get(channel[1]!);
    return guildId
      ? { body: { id: channel[1], type: 0, guild_id: guildId, name: "general", position: 0 } }
      : { status: 404, body: { message: "Unknown Channel", code: 10003 } };
  }
  const create = /^\/channels\/(\d+)\/invites$/.exec(route);
  if (request.method === "POST" && create) {
    const guildId = state.channels.get(create[1]!);
    if (!guildId) return { status: 404, body: { message: "Unknown Channel", code: 10003 } };
    const invite = {
      code: `fg${state.invites.size + 1}x${create[1]!.slice(-4)}`,
      guildId,
      channelId: create[1]!,
      uses: 0,
    };
    state.invites.set(invite.code, invite);
    return { body: inviteJson(invite) };
  }
  const list = /^\/guilds\/(\d+)\/invites$/.exec(route);
  if (request.method === "GET" && list)
    return { body: [...state.invites.values()].filter((i) => i.guildId === list[1]).map(inviteJson) };
  return undefined;
}

/** REST answers for the routes the bot uses; the rest is 404 like Discord's unknown routes. */
function restAnswer(request: CapturedRequest, messageIds: { next: number }, closedDms: Set<string>) {
  const { method, path, body } = request;
  const route = path.replace(/^\/api\/v10/, "");
  const newId = () => String(1_300_000_000_000_000_000n + BigInt(messageIds.next++));
  // A DM channel's id is the member's with its first digit made 9 (see /users/@me/channels).
  const dmTo = /^\/channels\/9(\d+)\/messages$/.exec(route);
  if (method === "POST" && dmTo && [...closedDms].some((id) => id.slice(1) === dmTo[1]))
    return { status: 403, body: { message: "Cannot send messages to this user", code: 50007 } };
  if (method === "POST" && /^\/interactions\/\d+\/[^/]+\/callback$/.test(route)) return { status: 204 };
  if (method === "PATCH" && /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/.test(route))
    return { body: message("0", body, newId()) };
  if (method === "DELETE" && /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/.test(route))
    return { status: 204 };
  if (method === "POST" && /^\/webhooks\/\d+\/[^/]+$/.test(route))
    return { body: message("0", body, newId()) };
  if (method === "POST" && route === "/users/@me/channels")
    return { body: { id: `9${String(body?.recipient_id).slice(1)}`, type: 1, recipients: [] } };
  const channelPost = /^\/channels\/(\d+)\/messages$/.exec(route);
  if (method === "POST" && channelPost) return { body: message(channelPost[1]!, body, newId()) };
  if (method === "GET" && route === "/applications/@me")
    return { body: { id: APPLICATION_ID, name: "Forgebot" } };
  if (method === "GET" && /^\/applications\/\d+\/commands$/.test(route)) return { body: [] };
  if (method === "PUT" && /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(route))
    return {
      body: (body as unknown as Array<Record<string, unknown>>).map((c, i) => ({
        ...c,
        id: String(i + 1),
        application_id: APPLICATION_ID,
        version: "1",
      })),
    };
  return { status: 404, body: { message: "Unknown route", code: 0 } };
}

export async function startFakeDiscord(): Promise<FakeDiscord> {
  const ids = { next: 1 };
  const files = new Map<string, Buffer>();
  const channels = new Map<string, string>();
  const invites = new Map<string, FakeInvite>();
  const closedDms = new Set<string>();
  let gatewayUrl = "";
  const rest = await Loopback.start((request) => {
    const file = /^\/files\/(.+)$/.exec(request.path);
    if (request.method === "GET" && file) {
      const data = files.get(file[1]!);
      return data ? { body: data, headers: { "content-type": "application/octet-stream" } } : { status: 404 };
    }
    if (request.method === "GET" && request.path === "/api/v10/gateway/bot") {
      return {
        body: {
          url: gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        },
      };
    }
    return inviteAnswer(request, { channels, invites }) ?? restAnswer(request, ids, closedDms);
  });
  gatewayUrl = rest.url.replace(/^http/, "ws");
  const sockets = new Set<GatewaySocket>();
  let sequence = 0;
  const identifies: Array<Record<string, unknown>> = [];
  let onIdentified!: () => void;
  const identified = new Promise<void>((resolve) => {
    onIdentified = resolve;
  });
  rest.server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    const gateway = new GatewaySocket(req, socket, (payload) => {
      const { op, d } = payload as { op: number; d: unknown };
      if (op === 1) gateway.send({ op: 11 });
      if (op === 2) {
        identifies.push(d as Record<string, unknown>);
        const shard = (d as { shard?: unknown }).shard;
        gateway.send({
          op: 0,
          t: "READY",
          s: ++sequence,
          d: {
            v: 10,
            user: { id: APPLICATION_ID, username: "Forgebot", discriminator: "0", avatar: null, bot: true },
            guilds: [],
            session_id: "fake-session",
            resume_gateway_url: gatewayUrl,
            application: { id: APPLICATION_ID, flags: 0 },
            ...(shard ? { shard } : {}),
          },
        });
        onIdentified();
      }
      return d;
    });
    sockets.add(gateway);
    socket.on("close", () => sockets.delete(gateway));
    // A long heartbeat interval: the test is over long before one is due.
    gateway.send({ op: 10, d: { heartbeat_interval: 45_000 } });
  });
  return {
    rest,
    channels,
    invites,
    files,
    closedDms,
    apiBase: `${rest.url}/api`,
    identified,
    identifies,
    dispatch(type, data) {
      sequence++;
      for (const socket of sockets) socket.send({ op: 0, t: type, s: sequence, d: data });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await rest.close();
    },
  };
}

/** The server side of one WebSocket (RFC 6455): text frames in and out, close and ping answered. */
class GatewaySocket {
  #buffer = Buffer.alloc(0);

  constructor(
    req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly onMessage: (payload: unknown) => unknown,
  ) {
    const accept = createHash("sha1")
      .update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.readFrames();
    });
    socket.on("error", () => {});
  }

  send(payload: unknown): void {
    this.frame(0x1, Buffer.from(JSON.stringify(payload)));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private frame(opcode: number, data: Buffer): void {
    if (this.socket.destroyed) return;
    const length = data.length;
    const header =
      length < 126
        ? Buffer.from([0x80 | opcode, length])
        : length < 65536
          ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
          : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
    this.socket.write(Buffer.concat([header, data]));
  }

  private readFrames(): void {
    while (this.#buffer.length >= 2) {
      const opcode = this.#buffer[0]! & 0x0f;
      let length = this.#buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        length = this.#buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        length = Number(this.#buffer.readBigUInt64BE(2));
        offset = 10;
      }
      // Client frames are always masked.
      if (this.#buffer.length < offset + 4 + length) return;
      const mask = this.#buffer.subarray(offset, offset + 4);
      const data = Buffer.from(this.#buffer.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < data.length; i++) data[i]! ^= mask[i % 4]!;
      this.#buffer = this.#buffer.subarray(offset + 4 + length);
      if (opcode === 0x1) this.onMessage(JSON.parse(data.toString("utf8")));
      else if (opcode === 0x9) this.frame(0xa, data);
      else if (opcode === 0x8) {
        this.frame(0x8, data.subarray(0, 2));
        this.socket.end();
      }
    }
  }
}

function bigLength(length: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(length));
  return buffer;
}

/** The JSON a REST call carried (multipart requests carry it in payload_json). */
export function payloadOf(request: CapturedRequest): Record<string, unknown> {
  const body = request.body ?? {};
  return (body.payload_json as Record<string, unknown> | undefined) ?? body;
}

/** What a member reads in a message body: every embed's title, description and fields. */
export function embedText(body: Record<string, unknown>): string {
  const embeds = (body.embeds ?? []) as Array<{
    title?: string;
    description?: string;
    fields?: Array<{ name: string; value: string }>;
  }>;
  return embeds
    .flatMap((e) => [e.title, e.description, ...(e.fields ?? []).map((f) => `${f.name}: ${f.value}`)])
    .filter(Boolean)
    .join("\n");
}

/** The REST calls answering one interaction (they carry its token), in order. */
export function answersTo(discord: FakeDiscord, interaction: { token?: unknown }): CapturedRequest[] {
  return discord.rest.requests.filter((r) => r.path.includes(`/${String(interaction.token)}`));
}

/**
 * The message that answered an interaction, however it came: the callback itself (type 4, when
 * the answer was ready in time), else the edit of the deferred reply, else a follow-up.
 */
export async function waitForAnswer(
  discord: FakeDiscord,
  interaction: { token?: unknown },
): Promise<Record<string, unknown>> {
  const token = `/${String(interaction.token)}/`;
  const answer = await discord.rest.waitFor((r) => {
    if (!r.path.includes(token)) return false;
    if (r.path.endsWith("/callback")) return payloadOf(r).type === 4;
    return r.method === "PATCH" || r.method === "POST";
  });
  const body = payloadOf(answer);
  return answer.path.endsWith("/callback") ? (body.data as Record<string, unknown>) : body;
}
