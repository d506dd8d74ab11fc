// A --script run exits only after the background work its commands started: /submit answers
// "queued" and grades afterwards, so the grade's notice must still reach the output before the
// process ends (it used to exit first, closing the database under the grader).
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const RECORDING = fileURLToPath(new URL("../../fixtures/forge-demos/20251007_131852", import.meta.url));

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "npx",
      ["tsx", "src/main.ts", ...args],
      { env: { ...process.env, LOG_LEVEL: "warn" } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("a --script console run", () => {
  it("prints the grade notice of a submission before it exits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "forgebot-drain-"));
    const script = join(dir, "submit.txt");
    writeFileSync(
      script,
      [
        "@cora /balance",
        "@alice /admin credit user:@cora amount:100 token:USDC reason:grant",
        '@cora /factory create name:"Shop carts" token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build" ref:task_2',
        "@cora /pool fund factory:1 amount:10",
        "@cora /confirm",
        `@fay /submit factory:1 file:file:${RECORDING}/meta.json log:file:${RECORDING}/input_log.jsonl`,
      ].join("\n"),
    );
    const { code, stdout, stderr } = await runCli([
      "--db",
      "memory://",
      "--script",
      script,
      "--json",
      "--moderators",
      "alice",
    ]);
    expect(stderr).not.toContain("grading a submission failed");
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const submitted = lines.find((l) => l.line === 6);
    expect(submitted).toMatchObject({ ok: true, code: "ok" });
    expect(submitted.text).toContain("Submission #1 queued");
    const notice = lines.at(-1).notice;
    expect(notice.to).toBe("to @fay");
    expect(notice.text).toMatch(/^Submission #1 graded: \d+\/100/);
    expect(notice.data).toMatchObject({ submissionId: 1 });
  }, 120_000);
});
