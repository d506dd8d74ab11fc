// The one redaction of credentials in URLs: userinfo passwords, key-like query values, the key
// segments of known RPC providers' paths and Telegram bot tokens are replaced; everything else in
// the URL (and every URL without credentials, explorer links included) is kept as written.
import { describe, expect, it } from "vitest";
import { redactReplyUrls, redactUrl, redactUrlsIn, urlCredentials } from "#src/redact.ts";

describe("redactUrl", () => {
  it.each([
    ["postgresql://forge:hunter2@db:5432/forgebot", "postgresql://forge:***@db:5432/forgebot"],
    ["https://user:p%40ss@rpc.example.com/", "https://user:***@rpc.example.com/"],
    ["https://mainnet.helius-rpc.com/?api-key=3f1c9e0a-77", "https://mainnet.helius-rpc.com/?api-key=***"],
    ["https://grader.example/grade?apikey=A1&model=big", "https://grader.example/grade?apikey=***&model=big"],
    [
      "https://x.example/a?key=1&token=2&access_token=3&secret=4&sig=5&signature=6&X-Amz-Signature=7&apiKey=8",
      "https://x.example/a?key=***&token=***&access_token=***&secret=***&sig=***&signature=***&X-Amz-Signature=***&apiKey=***",
    ],
    ["https://solana-mainnet.g.alchemy.com/v2/AbC123xyz", "https://solana-mainnet.g.alchemy.com/v2/***"],
    ["https://mainnet.infura.io/v3/0123456789abcdef", "https://mainnet.infura.io/v3/***"],
    [
      "https://old-fluffy.solana-mainnet.quiknode.pro/f00dcafe/",
      "https://old-fluffy.solana-mainnet.quiknode.pro/***/",
    ],
    ["https://rpc.ankr.com/solana/deadbeef", "https://rpc.ankr.com/solana/***"],
    ["https://go.getblock.io/0a1b2c3d", "https://go.getblock.io/***"],
    ["https://api.telegram.org/bot7000000001:AAFake_token-x/getMe", "https://api.telegram.org/bot***/getMe"],
    [
      "http://127.0.0.1:8081/file/bot123:abc/documents/a.zip",
      "http://127.0.0.1:8081/file/bot***/documents/a.zip",
    ],
  ])("redacts %s", (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it.each([
    "https://explorer.solana.com/tx/5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW?cluster=devnet",
    "https://example.org/join?ref=abc123",
    "mysql://root@localhost/x",
    "https://api.mainnet-beta.solana.com",
    "./data/forgebot",
    "not a url at all",
  ])("keeps %s as it is", (text) => {
    expect(redactUrl(text)).toBe(text);
  });

  it("finds every URL in a text, a JSON log line included", () => {
    expect(
      redactUrlsIn(
        '{"msg":"POST https://g.example/?api-key=K1 failed","db":"postgres://u:pw@h/d"} and wss://x/?token=T',
      ),
    ).toBe(
      '{"msg":"POST https://g.example/?api-key=*** failed","db":"postgres://u:***@h/d"} and wss://x/?token=***',
    );
  });

  it("lists a URL's credentials, as written and decoded", () => {
    expect(urlCredentials("https://u:p%40ss@h.example/?api-key=K%2B1&x=1")).toEqual([
      "p%40ss",
      "p@ss",
      "K%2B1",
      "K+1",
    ]);
    expect(urlCredentials("https://api.mainnet-beta.solana.com")).toEqual([]);
  });

  it("redacts the words of a chat reply, not its data", () => {
    const reply = {
      title: "Grader at https://g.example/?token=T1",
      text: "It failed: https://u:pw@h.example/",
      fields: [{ name: "RPC", value: "https://mainnet.helius-rpc.com/?api-key=K" }],
      data: { kept: "as is" },
    };
    expect(redactReplyUrls(reply)).toEqual({
      title: "Grader at https://g.example/?token=***",
      text: "It failed: https://u:***@h.example/",
      fields: [{ name: "RPC", value: "https://mainnet.helius-rpc.com/?api-key=***" }],
      data: { kept: "as is" },
    });
  });
});
