// Start-up time and idle memory of the bot as its own process (issue 16), in Discord HTTP
// interactions mode with the REST API pointed at a fake on loopback:
//   time from spawn to /healthz, to /readyz, and to the first signed /balance acked,
//   then VmRSS (the bot's process, and the whole process tree) after it has settled.
// Runs on a fresh PostgreSQL database (created and dropped here) and on a PGlite directory in a temp
// folder, started twice (the second start finds the migrations applied).
//
//   node --import tsx scripts/measure-startup.ts [--runs N] [--only pglite|postgres] [--settle S]
//     [--cwd DIR] [--command "node --import tsx src/main.ts"] [--detail]
// The default command is npm start's own; docs/testing.md says more.
import { spawn } from "node:child_process";
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { discordFixture, slashCommand } from "#test/helpers/discord-payloads.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1" },
    only: { type: "string" },
    command: { type: "string", default: "node --import tsx src/main.ts" },
    settle: { type: "string", default: "5" },
    /** Where to start the bot (another checkout, to compare before and after in one run). */
    cwd: { type: "string", default: process.cwd() },
    /** Send the bot SIGUSR2 after settling (a preload that reports its heap listens), and list its largest mappings. */
    detail: { type: "boolean", default: false },
  },
});
const POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";

interface Measure {
  label: string;
  healthzMs: number;
  readyzMs: number;
  firstAckMs: number;
  botCpuMs: number;
  treeCpuMs: number;
  ackType: number | undefined;
  botRssMiB: number;
  treeRssMiB: number;
  heapNote: string;
}

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const publicKeyHex = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url").toString("hex");

/** Discord's REST API as far as answering goes: every call answered, nothing checked. */
async function fakeRest() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "POST") res.writeHead(204).end();
      else res.writeHead(200, { "content-type": "application/json" }).end('{"id":"1","attachments":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, server };
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.end();
  });
}

function postSigned(url: string, key: KeyObject, body: string): Promise<{ status: number; text: string }> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(timestamp + body), key).toString("hex");
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-signature-ed25519": signature,
          "x-signature-timestamp": timestamp,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The mappings holding the most resident memory, grouped by name ([anon] for anonymous ones). */
function largestMappings(pid: number): string {
  const byName = new Map<string, number>();
  let name = "";
  for (const line of safeRead(`/proc/${pid}/smaps`).split("\n")) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) name = mapping[1] || "[anon]";
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) byName.set(name, (byName.get(name) ?? 0) + Number(rss[1]));
  }
  return [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([n, kb]) => `  ${String(kb).padStart(8)} ${n}`)
    .join("\n");
}

/** User and system CPU time the process has used, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = safeRead(`/proc/${pid}/stat`).split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

/** The process and its descendants. */
function tree(pid: number): number[] {
  const out = [pid];
  for (const task of safeList(`/proc/${pid}/task`)) {
    const children = safeRead(`/proc/${pid}/task/${task}/children`).trim();
    for (const child of children ? children.split(/\s+/) : []) out.push(...tree(Number(child)));
  }
  return out;
}
const safeList = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
const safeRead = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
};

/** The node process running main.ts: tsx's CLI may wrap it, and it may start esbuild beneath it. */
const botPid = (root: number) =>
  tree(root)
    .filter((pid) => safeRead(`/proc/${pid}/cmdline`).includes("src/main.ts"))
    .at(-1) ?? root;

/** A port free now (other programs on this machine take ports too). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function measureOnce(label: string, databaseUrl: string, apiBase: string): Promise<Measure> {
  const port = await freePort();
  const [cmd, ...args] = values.command!.split(" ");
  const started = performance.now();
  const child = spawn(cmd!, args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      DISCORD_PUBLIC_KEY: publicKeyHex,
      DISCORD_APPLICATION_ID: "1255985704232554496",
      DISCORD_API_BASE: apiBase,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: String(port),
      LOG_LEVEL: "warn",
      SCHEDULER: process.env.MEASURE_SCHEDULER ?? "on",
    },
    cwd: values.cwd,
    stdio: ["ignore", "ignore", "pipe"],
    // Its own process group, so that tsx's child (the bot) is stopped with it.
    detached: true,
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  let healthzMs = Number.NaN;
  let readyzMs = Number.NaN;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${label}: the bot exited with ${child.exitCode}\n${stderr}`);
    if (Number.isNaN(healthzMs) && (await get(`${base}/healthz`)) === 200)
      healthzMs = performance.now() - started;
    if (!Number.isNaN(healthzMs) && (await get(`${base}/readyz`)) === 200) {
      readyzMs = performance.now() - started;
      break;
    }
    await sleep(10);
  }
  const interaction = slashCommand(
    discordFixture("slash-command-integer-option.real-capture.dsharpplus"),
    {
      id: "400000000000000001",
      username: "measure",
    },
    ["balance"],
  );
  const answer = await postSigned(`${base}/discord/interactions`, privateKey, JSON.stringify(interaction));
  const firstAckMs = performance.now() - started;
  // CPU time says more than wall time on a shared machine: what the start-up itself costs.
  const botCpuMs = cpuMs(botPid(child.pid!));
  const treeCpuMs = tree(child.pid!).reduce((sum, p) => sum + cpuMs(p), 0);
  let ackType: number | undefined;
  try {
    ackType = (JSON.parse(answer.text) as { type?: number }).type;
  } catch {}
  if (answer.status !== 200) console.error(`${label}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
  await sleep(Number(values.settle) * 1000);
  const pid = botPid(child.pid!);
  if (values.detail) {
    process.kill(pid, "SIGUSR2");
    await sleep(1000);
    console.error(`${label}: largest mappings (RSS kB):\n${largestMappings(pid)}`);
  }
  const botRssMiB = rssKiB(pid) / 1024;
  const treeRssMiB = tree(child.pid!).reduce((sum, p) => sum + rssKiB(p), 0) / 1024;
  const status = safeRead(`/proc/${pid}/status`);
  const heapNote = ["RssAnon", "RssFile"]
    .map((k) => `${k} ${/(\d+) kB/.exec(status.split(`${k}:`)[1] ?? "")?.[1]}`)
    .join(", ");
  const group = tree(child.pid!);
  process.kill(-child.pid!, "SIGTERM");
  while (group.some((p) => /State:\s+[^Z]/.test(safeRead(`/proc/${p}/status`)))) await sleep(50);
  if (stderr.trim()) console.error(`${label}: the bot's stderr:\n${stderr}`);
  return {
    label,
    healthzMs,
    readyzMs,
    firstAckMs,
    botCpuMs,
    treeCpuMs,
    ackType,
    botRssMiB,
    treeRssMiB,
    heapNote,
  };
}

async function main() {
  const rest = await fakeRest();
  const results: Measure[] = [];
  const runs = Number(values.runs);
  try {
    for (let run = 0; run < runs; run++) {
      if (values.only !== "pglite") {
        const name = `forgebot_measure_${process.pid}_${run}`;
        const admin = new pg.Client(POSTGRES_ADMIN);
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        try {
          const url = `postgresql://postgres@127.0.0.1:5432/${name}`;
          results.push(await measureOnce("postgres, fresh", url, rest.base));
          results.push(await measureOnce("postgres, migrated", url, rest.base));
        } finally {
          await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
          await admin.end();
        }
      }
      if (values.only !== "postgres") {
        const dir = mkdtempSync(join(tmpdir(), "forgebot-measure-"));
        try {
          results.push(await measureOnce("pglite, fresh", join(dir, "db"), rest.base));
          results.push(await measureOnce("pglite, migrated", join(dir, "db"), rest.base));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    rest.server.close();
  }
  console.log(
    "| start | /healthz ms | /readyz ms | first ack ms (type) | CPU ms to first ack, bot / all | bot RSS MiB | tree RSS MiB | bot RSS detail (kB) |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of results)
    console.log(
      `| ${r.label} | ${r.healthzMs.toFixed(0)} | ${r.readyzMs.toFixed(0)} | ${r.firstAckMs.toFixed(0)} (${r.ackType}) | ${r.botCpuMs} / ${r.treeCpuMs} | ${r.botRssMiB.toFixed(0)} | ${r.treeRssMiB.toFixed(0)} | ${r.heapNote} |`,
    );
}

await main();
