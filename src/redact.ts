// Credentials inside URLs, redacted the one way everywhere a URL is printed: logs (every line the
// logger writes), configuration errors and chat replies. An RPC node, a grader or a database URL
// often carries its key: in the userinfo (user:password@), in a query parameter (?api-key=...), or
// in a path segment some providers use for it (Alchemy's /v2/<key>, QuickNode's /<token>/, ...).
// Only those parts are replaced, the rest is kept as written so the URL still says where it points.

const MASK = "***";

/** Query parameter names whose values are credentials: api-key, apikey, key, token, access_token, sig, ... */
const SECRET_PARAM = /(?:key|token|secret|sig|signature|password|passwd|pwd|auth|credentials?|jwt)$/i;

/**
 * Hosts whose URLs put the key in a path segment, and which segment (0-based) it is. Only providers
 * whose layout is documented: guessing from the look of a segment would also hide transaction
 * signatures in explorer links.
 */
const KEY_IN_PATH: Array<{ host: RegExp; segment: (segments: string[]) => number | undefined }> = [
  // https://solana-mainnet.g.alchemy.com/v2/<key>, https://mainnet.infura.io/v3/<key>
  {
    host: /(^|\.)(alchemy\.com|alchemyapi\.io|infura\.io)$/i,
    segment: (s) => (/^v\d$/.test(s[0] ?? "") ? 1 : undefined),
  },
  // https://<name>.solana-mainnet.quiknode.pro/<token>/
  { host: /(^|\.)(quiknode\.pro|quicknode\.pro)$/i, segment: () => 0 },
  // https://rpc.ankr.com/solana/<key>
  { host: /(^|\.)ankr\.com$/i, segment: () => 1 },
  // https://go.getblock.io/<token>, https://solana-mainnet.core.chainstack.com/<key>
  { host: /(^|\.)(getblock\.io|chainstack\.com)$/i, segment: () => 0 },
  // https://<name>.helius-rpc.com and the like carry ?api-key=, handled as a query parameter.
];

/** A Telegram bot token in a Bot API path (/bot<id>:<secret>/method, /file/bot<id>:<secret>/...), on any host. */
const BOT_API_TOKEN = /(\/bot)(\d+:[\w-]+)/g;

const URL_SHAPE = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;

/** `url` with its credentials replaced by ***; anything that is not a URL is returned as it is. */
export function redactUrl(url: string): string {
  return redact(url, []);
}

/** `text` with every URL in it (http, https, postgres, wss, ...) passed through redactUrl. */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`\\]+/gi, (url) => redactUrl(url));
}

/**
 * The credential parts of `url` (password, key-like query values, key path segments), as written
 * and decoded, for censoring them even where they show up without the rest of the URL.
 */
export function urlCredentials(url: string): string[] {
  const found: string[] = [];
  redact(url, found);
  return [...new Set(found.flatMap((part) => [part, decoded(part)]))];
}

function redact(url: string, found: string[]): string {
  const parts = URL_SHAPE.exec(url);
  if (!parts) return url;
  const [, scheme, authority = "", path = "", query = "", fragment = ""] = parts;
  return (
    scheme +
    redactAuthority(authority, found) +
    redactPath(authority, path, found) +
    redactQuery(query, found) +
    fragment
  );
}

function redactAuthority(authority: string, found: string[]): string {
  const at = authority.lastIndexOf("@");
  if (at < 0) return authority;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(":");
  // A user name alone is kept (postgres://root@db); a password is not.
  if (colon < 0) return authority;
  found.push(userinfo.slice(colon + 1));
  return `${userinfo.slice(0, colon)}:${MASK}${authority.slice(at)}`;
}

function redactPath(authority: string, path: string, found: string[]): string {
  let redacted = path.replace(BOT_API_TOKEN, (_whole, prefix: string, token: string) => {
    found.push(token);
    return `${prefix}${MASK}`;
  });
  const host = authority.slice(authority.lastIndexOf("@") + 1).replace(/:\d+$/, "");
  const rule = KEY_IN_PATH.find((r) => r.host.test(host));
  if (!rule) return redacted;
  const segments = redacted.split("/").slice(1);
  const index = rule.segment(segments);
  const key = index === undefined ? undefined : segments[index];
  if (index !== undefined && key && key !== MASK) {
    found.push(key);
    segments[index] = MASK;
    redacted = `/${segments.join("/")}`;
  }
  return redacted;
}

function redactQuery(query: string, found: string[]): string {
  if (!query) return query;
  return query.replace(
    /([?&;])([^=&;#]+)=([^&;#]*)/g,
    (whole, separator: string, name: string, value: string) => {
      if (!value || !SECRET_PARAM.test(decoded(name))) return whole;
      found.push(value);
      return `${separator}${name}=${MASK}`;
    },
  );
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A chat reply with the credentials of every URL in its words replaced (its data and picture kept). */
export function redactReplyUrls<
  R extends { title?: string; text: string; fields?: Array<{ name: string; value: string }> },
>(reply: R): R {
  return {
    ...reply,
    ...(reply.title === undefined ? {} : { title: redactUrlsIn(reply.title) }),
    text: redactUrlsIn(reply.text),
    ...(reply.fields
      ? {
          fields: reply.fields.map((f) => ({
            ...f,
            name: redactUrlsIn(f.name),
            value: redactUrlsIn(f.value),
          })),
        }
      : {}),
  };
}
