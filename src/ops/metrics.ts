// What an operator sees inside a running bot: Prometheus metrics (prom-client) in one registry per
// app. Counters and histograms are fed by the seams the code already has (the dispatcher, the
// grading queue, the scheduler, the ledger's committed transfers); the money and backlog gauges
// are read from the database when /metrics is scraped, so they are the books' figures, the same
// whichever replica answers. docs/operators.md lists every metric and what to alert on.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Dispatcher } from "#src/core/dispatch.ts";
import type { Database } from "#src/db/database.ts";
import type { GradingQueue } from "#src/economy/pools/grading-queue.ts";
import type { Scheduler, SchedulerServices } from "#src/epochs/scheduler.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { Logger } from "#src/log.ts";

/** The seams the metrics listen to, and the database the scrape-time gauges read. */
export interface MetricsSources {
  db: Database;
  dispatcher: Pick<Dispatcher<unknown>, "onDispatched">;
  gradingQueue: Pick<GradingQueue, "onGraded" | "size" | "running">;
  scheduler: Pick<Scheduler<SchedulerServices>, "onRun">;
  ledger: Pick<Ledger, "onCommitted">;
  log: Logger;
}

// Commands answer in milliseconds to a couple of seconds; gradings and job runs can take minutes.
const COMMAND_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const LONG_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900, 1800];

export class BotMetrics {
  readonly registry = new Registry();

  readonly commands: Counter<"platform" | "command" | "outcome">;
  readonly commandSeconds: Histogram<"platform" | "command">;
  readonly ackSeconds: Histogram<"platform">;
  readonly internalErrors: Counter<"source">;
  readonly gradings: Counter<"outcome">;
  readonly gradingSeconds: Histogram<"outcome">;
  readonly jobRuns: Counter<"job" | "outcome">;
  readonly jobSeconds: Histogram<"job" | "outcome">;
  readonly ledgerTransfers: Counter<"code">;
  readonly rejectedWhileDraining: Counter<"path">;

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    this.commands = new Counter({
      name: "forgebot_commands_total",
      help: "Commands and button presses answered by this process, by platform, command and outcome code",
      labelNames: ["platform", "command", "outcome"],
      registers,
    });
    this.commandSeconds = new Histogram({
      name: "forgebot_command_answer_seconds",
      help: "Time from a command reaching the dispatcher to its final answer being ready",
      labelNames: ["platform", "command"],
      buckets: COMMAND_BUCKETS,
      registers,
    });
    this.ackSeconds = new Histogram({
      name: "forgebot_command_ack_seconds",
      help: "Time from an event arriving to the platform being acknowledged (Discord's deferral, Telegram's webhook answer)",
      labelNames: ["platform"],
      buckets: ACK_BUCKETS,
      registers,
    });
    this.internalErrors = new Counter({
      name: "forgebot_internal_errors_total",
      help: "Bugs and outages met while serving: commands answered with an error id, failed HTTP requests, gradings that threw",
      labelNames: ["source"],
      registers,
    });
    this.gradings = new Counter({
      name: "forgebot_gradings_total",
      help: "Submissions whose background grading ended in this process, by outcome (done, failed)",
      labelNames: ["outcome"],
      registers,
    });
    this.gradingSeconds = new Histogram({
      name: "forgebot_grading_seconds",
      help: "Time one submission spent being graded and settled",
      labelNames: ["outcome"],
      buckets: LONG_BUCKETS,
      registers,
    });
    const queue = sources.gradingQueue;
    new Gauge({
      name: "forgebot_grading_queue_depth",
      help: "Submissions in this process's grading queue, waiting or being graded",
      registers,
      collect() {
        this.set(queue.size);
      },
    });
    new Gauge({
      name: "forgebot_grading_running",
      help: "Submissions being graded now in this process",
      registers,
      collect() {
        this.set(queue.running);
      },
    });
    this.jobRuns = new Counter({
      name: "forgebot_job_runs_total",
      help: "Job periods this process claimed and ran, by job and outcome (ran, resumed, failed)",
      labelNames: ["job", "outcome"],
      registers,
    });
    this.jobSeconds = new Histogram({
      name: "forgebot_job_run_seconds",
      help: "Time a job run took, claim to record",
      labelNames: ["job", "outcome"],
      buckets: LONG_BUCKETS,
      registers,
    });
    this.ledgerTransfers = new Counter({
      name: "forgebot_ledger_transfers_total",
      help: "Ledger transfers committed by this process, by code (replays not counted)",
      labelNames: ["code"],
      registers,
    });
    this.rejectedWhileDraining = new Counter({
      name: "forgebot_http_rejected_draining_total",
      help: "Requests answered 503 because this process was shutting down",
      labelNames: ["path"],
      registers,
    });
    this.#databaseGauges();
    this.#listen();
  }

  #processMetrics = false;

  /**
   * Adds prom-client's process metrics (event-loop lag, memory, CPU, handles, GC) to this
   * registry: once, by what serves /metrics (tests that build many apps in one process skip it).
   */
  collectProcessMetrics(): void {
    if (this.#processMetrics) return;
    this.#processMetrics = true;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  /** The registry's text exposition, for GET /metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #listen(): void {
    const { dispatcher, gradingQueue, scheduler, ledger } = this.sources;
    dispatcher.onDispatched(({ platform, command, code, seconds }) => {
      this.commands.inc({ platform, command, outcome: code });
      this.commandSeconds.observe({ platform, command }, seconds);
      if (code === "internal") this.internalErrors.inc({ source: "command" });
    });
    gradingQueue.onGraded(({ seconds, failed }) => {
      const outcome = failed ? "failed" : "done";
      this.gradings.inc({ outcome });
      this.gradingSeconds.observe({ outcome }, seconds);
      if (failed) this.internalErrors.inc({ source: "grading" });
    });
    scheduler.onRun(({ job, outcome, seconds }) => {
      this.jobRuns.inc({ job, outcome });
      this.jobSeconds.observe({ job, outcome }, seconds);
    });
    ledger.onCommitted((transfers) => {
      for (const transfer of transfers) this.ledgerTransfers.inc({ code: transfer.code });
    });
  }

  /** Gauges read from the database (money and backlogs) or the pool at scrape time. */
  #databaseGauges(): void {
    const registers = [this.registry];
    const { db, log } = this.sources;
    // A failing database leaves a gauge empty for that scrape, and says so in the log.
    const poolSums = (column: "balance" | "pending_debits") =>
      db.prisma.$queryRawUnsafe<Array<{ token: string; atoms: string }>>(
        `SELECT token, sum(${column})::text AS atoms FROM accounts
         WHERE owner_type = 'pool' GROUP BY token ORDER BY token`,
      );
    const poolGauge = (column: "balance" | "pending_debits", name: string, help: string) =>
      new Gauge({
        name,
        help,
        labelNames: ["token"],
        registers,
        async collect() {
          this.reset();
          try {
            // Atoms can pass 2^53; a gauge is a float anyway, and it is read as one.
            for (const row of await poolSums(column)) this.set({ token: row.token }, Number(row.atoms));
          } catch (error) {
            log.warn({ err: error, metric: name }, "metrics: could not read the pools' balances");
          }
        },
      });
    poolGauge(
      "balance",
      "forgebot_pool_funds_atoms",
      "Money held by the factory pools, per token, in atoms (the ledger's pool accounts)",
    );
    poolGauge(
      "pending_debits",
      "forgebot_pool_reserved_atoms",
      "Part of the pools' money reserved for submissions awaiting their grade, per token, in atoms",
    );
    new Gauge({
      name: "forgebot_withdrawals_pending",
      help: "Withdrawals not yet paid or refunded, by status (pending: waiting for a batch; sending: in an open batch)",
      labelNames: ["status"],
      registers,
      async collect() {
        this.reset();
        this.set({ status: "pending" }, 0);
        this.set({ status: "sending" }, 0);
        try {
          const rows = await db.prisma.$queryRaw<Array<{ status: string; n: number }>>`
            SELECT status, count(*)::int AS n FROM withdrawals
            WHERE status IN ('pending', 'sending') GROUP BY status`;
          for (const row of rows) this.set({ status: row.status }, row.n);
        } catch (error) {
          log.warn({ err: error }, "metrics: could not count the pending withdrawals");
        }
      },
    });
    const pool = (field: "total" | "idle" | "waiting", name: string, help: string) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(db.poolStats()[field]);
        },
      });
    pool("total", "forgebot_db_pool_connections", "Database connections open in this process's pool");
    pool("idle", "forgebot_db_pool_idle", "Database connections open and idle");
    pool(
      "waiting",
      "forgebot_db_pool_waiting",
      "Callers waiting for a database connection (above zero for long: the pool is too small or queries too slow)",
    );
  }
}
