// Telegram's HTML subset, checked the way the Bot API checks a message sent with parse_mode HTML:
// only its tags (with the attributes each takes), properly nested, every <, > and & outside a tag
// written as an entity, and the text left after parsing non-empty and within the length limit
// (4096 for a message, 1024 for a caption). Telegram refuses a message that breaks any of these
// ("Bad Request: can't parse entities"), so the renderer's output must pass.
// https://core.telegram.org/bots/api#html-style

export const TELEGRAM_TEXT_LIMITS = { message: 4096, caption: 1024 } as const;

export interface TelegramEntity {
  tag: string;
  /** UTF-16 offsets into the parsed text, as Telegram counts them. */
  start: number;
  end: number;
}

export interface ParsedTelegramHtml {
  /** What the reader sees: tags gone, entities decoded. */
  text: string;
  entities: TelegramEntity[];
}

export class TelegramHtmlError extends Error {
  override name = "TelegramHtmlError";
}

const SIMPLE = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "pre"]);

/** Whether a tag with these attributes is one Telegram accepts, given the tag it sits in. */
function attributeProblem(
  tag: string,
  attrs: Map<string, string | true>,
  parent?: string,
): string | undefined {
  const only = (...allowed: string[]) =>
    [...attrs.keys()].find((name) => !allowed.includes(name))
      ? `<${tag}> does not take the attribute(s) ${[...attrs.keys()].join(", ")}`
      : undefined;
  if (SIMPLE.has(tag)) return only();
  switch (tag) {
    case "span":
      return attrs.get("class") === "tg-spoiler" && attrs.size === 1
        ? undefined
        : '<span> must be <span class="tg-spoiler">';
    case "a":
      return typeof attrs.get("href") === "string" ? only("href") : "<a> needs an href";
    case "code": {
      const language = attrs.get("class");
      if (language === undefined) return only();
      return parent === "pre" && typeof language === "string" && /^language-\S+$/.test(language)
        ? only("class")
        : '<code class="language-…"> belongs directly inside <pre>';
    }
    case "blockquote":
      return only("expandable");
    case "tg-emoji":
      return /^\d+$/.test(String(attrs.get("emoji-id")))
        ? only("emoji-id")
        : "<tg-emoji> needs a numeric emoji-id";
    default:
      return `<${tag}> is not a tag Telegram supports`;
  }
}

/** Where a tag may not be opened, given the tags already open (innermost last). */
function nestingProblem(tag: string, open: readonly string[]): string | undefined {
  const parent = open.at(-1);
  if (parent === "code") return `<${tag}> inside <code>: code holds text only`;
  if (parent === "pre" && tag !== "code") return `<${tag}> inside <pre>: pre holds text or one <code>`;
  if (tag === "a" && open.includes("a")) return "<a> inside <a>";
  if (tag === "blockquote" && open.includes("blockquote")) return "<blockquote> inside <blockquote>";
  return undefined;
}

const TAG = /<(\/?)([a-z][a-z0-9-]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/y;
const ATTRIBUTE = /([a-z-]+)(?:="([^"]*)")?/g;
const ENTITY = /&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);/y;
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

function decodeEntity(name: string): string {
  if (NAMED[name]) return NAMED[name];
  const code = name.startsWith("#x") ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
  if (code > 0x10ffff) throw new TelegramHtmlError(`&${name}; is not a character`);
  return String.fromCodePoint(code);
}

/** Parses HTML as Telegram does; throws TelegramHtmlError saying what it would refuse. */
export function parseTelegramHtml(html: string): ParsedTelegramHtml {
  let text = "";
  const entities: TelegramEntity[] = [];
  const open: Array<{ tag: string; start: number }> = [];
  const at = (i: number) => `at ${i} in ${JSON.stringify(html.slice(Math.max(0, i - 20), i + 20))}`;
  for (let i = 0; i < html.length; ) {
    const ch = html[i]!;
    if (ch === "<") {
      TAG.lastIndex = i;
      const tag = TAG.exec(html);
      if (!tag) throw new TelegramHtmlError(`unescaped < ${at(i)}`);
      const [whole, slash, name, rawAttrs] = tag as unknown as [string, string, string, string];
      if (slash) {
        if (rawAttrs.trim()) throw new TelegramHtmlError(`a closing tag takes no attributes ${at(i)}`);
        const top = open.pop();
        if (top?.tag !== name)
          throw new TelegramHtmlError(
            `</${name}> ${top ? `closes <${top.tag}>` : "closes nothing"}: tags must nest ${at(i)}`,
          );
        entities.push({ tag: name, start: top.start, end: text.length });
      } else {
        const attrs = new Map<string, string | true>();
        for (const [, attr, value] of rawAttrs.matchAll(ATTRIBUTE)) attrs.set(attr!, value ?? true);
        const problem =
          nestingProblem(
            name,
            open.map((o) => o.tag),
          ) ?? attributeProblem(name, attrs, open.at(-1)?.tag);
        if (problem) throw new TelegramHtmlError(`${problem} ${at(i)}`);
        open.push({ tag: name, start: text.length });
      }
      i += whole.length;
    } else if (ch === "&") {
      ENTITY.lastIndex = i;
      const entity = ENTITY.exec(html);
      if (!entity) throw new TelegramHtmlError(`unescaped & ${at(i)}: write &amp;`);
      text += decodeEntity(entity[1]!);
      i += entity[0].length;
    } else if (ch === ">") {
      throw new TelegramHtmlError(`unescaped > ${at(i)}: write &gt;`);
    } else {
      text += ch;
      i++;
    }
  }
  if (open.length > 0) throw new TelegramHtmlError(`<${open.at(-1)!.tag}> is never closed`);
  return { text, entities };
}

/**
 * What Telegram would refuse in this HTML (a parse error, an empty text, a text over `maxLength`
 * UTF-16 units after parsing), or undefined when it would take it.
 */
export function telegramHtmlProblem(
  html: string,
  maxLength: number = TELEGRAM_TEXT_LIMITS.message,
): string | undefined {
  try {
    const { text } = parseTelegramHtml(html);
    if (!text.trim()) return "message text is empty";
    if (text.length > maxLength) return `message is too long (${text.length} > ${maxLength})`;
    return undefined;
  } catch (error) {
    if (error instanceof TelegramHtmlError) return `can't parse entities: ${error.message}`;
    throw error;
  }
}

/** Fails unless Telegram would accept `html`; returns the text it shows. */
export function assertWellFormedTelegramHtml(
  html: string,
  maxLength: number = TELEGRAM_TEXT_LIMITS.message,
): string {
  const problem = telegramHtmlProblem(html, maxLength);
  if (problem) throw new TelegramHtmlError(`Telegram would refuse this HTML: ${problem}\n${html}`);
  return parseTelegramHtml(html).text;
}
