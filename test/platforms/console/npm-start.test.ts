// The real thing: `npm start` as a separate process, a script in, JSON lines out.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function npmStart(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      "npm",
      ["start", "--silent", "--", ...args],
      { env: { ...process.env, LOG_LEVEL: "warn" } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

describe("npm start", () => {
  it("runs a script file with --json: one object per command, amounts as decimal strings", async () => {
    const dir = mkdtempSync(join(tmpdir(), "forgebot-script-"));
    const script = join(dir, "demo.txt");
    writeFileSync(
      script,
      [
        "# a comment, then a blank line",
        "",
        "@bob /balance",
        '@alice /admin credit user:@bob amount:"1,000.5" token:USDC reason:"grant"',
        "@bob /balance",
        "@bob /admin debit user:@bob amount:1 token:USDC reason:x",
      ].join("\n"),
    );
    const { code, stdout } = await npmStart([
      "--db",
      "memory://",
      "--script",
      script,
      "--json",
      "--moderators",
      "alice",
    ]);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    // Bob is told of the credit: a notice, printed as its own object.
    expect(lines.filter((l) => l.notice).map((l) => [l.notice.to, l.notice.text])).toEqual([
      [
        "to @bob",
        "Balance credited\nA moderator added 1,000.5 USDC to your balance (reason: grant). Your USDC balance is now 1,000.5 USDC.",
      ],
    ]);
    const records = lines.filter((l) => !l.notice);
    expect(records.map((r) => [r.line, r.user, r.command.split(" ")[0], r.ok, r.code])).toEqual([
      [3, "bob", "@bob", true, "ok"],
      [4, "alice", "@alice", true, "ok"],
      [5, "bob", "@bob", true, "ok"],
      [6, "bob", "@bob", false, "forbidden"],
    ]);
    expect(Object.keys(records[1])).toEqual(["line", "user", "command", "ok", "code", "text", "data"]);
    expect(records[2].data.balances[0]).toMatchObject({ token: "USDC", balance: "1000.5" });
  });

  it("reads standard input when it is not a terminal, and prints readable text", async () => {
    const { code, stdout } = await npmStart(
      ["--db", "memory://", "--user", "zoe"],
      "/balance\n/help command:balance\n",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("> /balance\n  You have no balance yet.");
    expect(stdout).toContain("/balance [token:USDC]");
  });

  it("stops with a clear message on a bad setting", async () => {
    const { code, stderr } = await npmStart(["--db", "mysql://x@y/z", "--script", "/dev/null"]);
    expect(code).toBe(1);
    expect(stderr).toContain("DATABASE_URL: expected postgresql://");
  });
});
