// Replies as Discord messages: embeds within Discord's limits (title 256, description 4096,
// 25 fields of 1024, 6000 characters and 10 embeds per message), buttons in action rows, and the
// reply's picture as an attachment shown in the embed. A reply too long for one message becomes
// several; the buttons go on the last. Text and field values are the reply's markup as Discord
// markdown (markdown.ts); titles and field names are plain text, escaped so they show as written.
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type APIEmbedField,
  ButtonStyle,
  ComponentType,
} from "discord.js";
import type { Button, Reply, Tone } from "#src/core/reply.ts";
import { splitText, truncate } from "../text-split.ts";
import { type CommandMention, escapeDiscordInline, markupToDiscord } from "./markdown.ts";

export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
  embedsPerMessage: 10,
  buttonsPerRow: 5,
  rows: 5,
  buttonLabel: 80,
} as const;

export interface DiscordFile {
  name: string;
  data: Buffer;
  description?: string;
}

export interface DiscordMessage {
  embeds: APIEmbed[];
  components: Array<APIActionRowComponent<APIButtonComponentWithCustomId>>;
  files: DiscordFile[];
}

const COLORS: Record<Tone, number> = {
  info: 0x5865f2,
  success: 0x57f287,
  warning: 0xfee75c,
  error: 0xed4245,
};

const STYLES: Record<NonNullable<Button["style"]>, APIButtonComponentWithCustomId["style"]> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
};

export function embedCharacters(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0)
  );
}

export function buttonRows(buttons: readonly Button[]): DiscordMessage["components"] {
  const rows: DiscordMessage["components"] = [];
  const usable = buttons.slice(0, EMBED_LIMITS.buttonsPerRow * EMBED_LIMITS.rows);
  for (let i = 0; i < usable.length; i += EMBED_LIMITS.buttonsPerRow) {
    rows.push({
      type: ComponentType.ActionRow,
      components: usable.slice(i, i + EMBED_LIMITS.buttonsPerRow).map((b) => ({
        type: ComponentType.Button,
        custom_id: b.id,
        label: truncate(b.label, EMBED_LIMITS.buttonLabel),
        style: STYLES[b.style ?? "secondary"],
      })),
    });
  }
  return rows;
}

export function renderReply(reply: Reply, mention?: CommandMention): DiscordMessage[] {
  const color = COLORS[reply.tone ?? "info"];
  // Fields Discord cannot hold as fields are written into the text instead.
  const fields: APIEmbedField[] = [];
  let text = markupToDiscord(reply.text, mention);
  for (const field of reply.fields ?? []) {
    const name = escapeDiscordInline(field.name);
    const value = markupToDiscord(field.value, mention);
    if (name.length > EMBED_LIMITS.fieldName || value.length > EMBED_LIMITS.fieldValue || !value) {
      text += `\n\n**${name}**\n${value}`;
    } else {
      fields.push({ name, value, ...(field.inline ? { inline: true } : {}) });
    }
  }
  const footer = reply.page ? `Page ${reply.page.current} of ${reply.page.total}` : undefined;

  const embeds: APIEmbed[] = splitText(text, EMBED_LIMITS.description).map((description) => ({
    color,
    // An embed needs some content: a zero-width space stands in for an empty text.
    description: description || "\u200b",
  }));
  if (reply.title) embeds[0]!.title = truncate(escapeDiscordInline(reply.title), EMBED_LIMITS.title);
  // Room is kept for the page footer.
  const room = EMBED_LIMITS.total - 64;
  let target = embeds[embeds.length - 1]!;
  for (const field of fields) {
    const size = field.name.length + field.value.length;
    if ((target.fields?.length ?? 0) === EMBED_LIMITS.fields || embedCharacters(target) + size > room) {
      target = { color, fields: [] };
      embeds.push(target);
    }
    target.fields = [...(target.fields ?? []), field];
  }
  if (footer) embeds[embeds.length - 1]!.footer = { text: footer };

  const files: DiscordFile[] = [];
  if (reply.image) {
    embeds[0]!.image = { url: `attachment://${reply.image.name}` };
    files.push({
      name: reply.image.name,
      data: Buffer.from(reply.image.png),
      description: truncate(reply.image.alt, 1024),
    });
  }

  if (reply.file)
    files.push({
      name: reply.file.name,
      data: Buffer.from(reply.file.data),
      description: truncate(reply.file.description, 1024),
    });

  // Pack the embeds into messages of at most 10 embeds and 6000 characters.
  const messages: DiscordMessage[] = [];
  let current: DiscordMessage = { embeds: [], components: [], files };
  let characters = 0;
  for (const embed of embeds) {
    const size = embedCharacters(embed);
    if (
      current.embeds.length > 0 &&
      (current.embeds.length === EMBED_LIMITS.embedsPerMessage || characters + size > EMBED_LIMITS.total)
    ) {
      messages.push(current);
      current = { embeds: [], components: [], files: [] };
      characters = 0;
    }
    current.embeds.push(embed);
    characters += size;
  }
  current.components = buttonRows(reply.buttons ?? []);
  messages.push(current);
  return messages;
}
