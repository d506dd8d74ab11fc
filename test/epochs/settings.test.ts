// The scheduler's settings: schedules and timeouts per job, the retention of job runs, the
// announcement channel, and clear refusals.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "#src/config.ts";
import { SchedulerConfigError } from "#src/epochs/scheduler.ts";
import { jobs } from "#src/jobs.ts";
import { createTestApp } from "#test/helpers/app.ts";

const load = (env: Record<string, string>) => loadConfig({ DATABASE_URL: "memory://", ...env });

describe("scheduler settings", () => {
  it("reads job=cron pairs separated by semicolons, with off, and defaults", () => {
    const config = load({
      JOB_SCHEDULES: " withdrawals = */5  * * * * ; arena-emission=off;reservation-expiry=0 1,13 * * *",
    });
    expect(config.JOB_SCHEDULES).toEqual({
      withdrawals: "*/5 * * * *",
      "arena-emission": "off",
      "reservation-expiry": "0 1,13 * * *",
    });
    const defaults = load({});
    expect(defaults).toMatchObject({
      SCHEDULER: "on",
      JOB_SCHEDULES: {},
      JOB_LEASE_SECONDS: 60,
      JOB_MAX_ATTEMPTS: 5,
      JOB_MAX_CATCH_UP: 30,
      JOB_TIMEOUT_SECONDS: 1800,
      JOB_TIMEOUTS: {},
      JOB_RUNS_RETENTION_DAYS: 30,
    });
    expect(load({ JOB_TIMEOUTS: " withdrawals = 120 ;arena-emission=14400;" }).JOB_TIMEOUTS).toEqual({
      withdrawals: 120,
      "arena-emission": 14400,
    });
    expect(defaults.JOB_ANNOUNCE_CHANNEL).toBeUndefined();
    expect(load({ JOB_ANNOUNCE_CHANNEL: "discord:1234567890123456789" }).JOB_ANNOUNCE_CHANNEL).toEqual({
      platform: "discord",
      id: "1234567890123456789",
    });
  });

  it("refuses a bad schedule or channel, naming the setting and what it expects", () => {
    for (const [env, setting, hint] of [
      [{ JOB_SCHEDULES: "withdrawals=every minute" }, "JOB_SCHEDULES", "job=cron pairs"],
      [{ JOB_SCHEDULES: "0 0 * * *" }, "JOB_SCHEDULES", "job=cron pairs"],
      [{ JOB_SCHEDULES: "withdrawals=61 * * * *" }, "JOB_SCHEDULES", "job=cron pairs"],
      [{ JOB_ANNOUNCE_CHANNEL: "#general" }, "JOB_ANNOUNCE_CHANNEL", "platform:channelId"],
      [{ JOB_MAX_CATCH_UP: "0" }, "JOB_MAX_CATCH_UP", ""],
      [{ SCHEDULER: "maybe" }, "SCHEDULER", ""],
      [{ JOB_TIMEOUTS: "withdrawals=5m" }, "JOB_TIMEOUTS", "job=seconds pairs"],
      [{ JOB_TIMEOUTS: "withdrawals=0" }, "JOB_TIMEOUTS", "whole seconds from 1 to 604800"],
      [{ JOB_TIMEOUTS: "withdrawals=604801" }, "JOB_TIMEOUTS", "job=seconds pairs"],
      [{ JOB_TIMEOUTS: "300" }, "JOB_TIMEOUTS", "job=seconds pairs"],
      [{ JOB_TIMEOUT_SECONDS: "0" }, "JOB_TIMEOUT_SECONDS", ""],
      [{ JOB_RUNS_RETENTION_DAYS: "0" }, "JOB_RUNS_RETENTION_DAYS", ""],
    ] as const) {
      let error: unknown;
      try {
        load(env);
      } catch (e) {
        error = e;
      }
      expect(error, setting).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(setting);
      expect((error as ConfigError).message).toContain(hint);
    }
  });

  it("stops the bot at start-up when a schedule names a job that does not exist", async () => {
    await expect(
      createTestApp("pglite", { env: { JOB_SCHEDULES: "withdrawls=*/5 * * * *" } }),
    ).rejects.toThrow(SchedulerConfigError);
    await expect(
      createTestApp("pglite", { env: { JOB_SCHEDULES: "withdrawls=*/5 * * * *" } }),
    ).rejects.toThrow(/"withdrawls", which is not a job; the jobs are withdrawals, arena-emission/);
  });

  it("stops the bot at start-up when a timeout names a job that does not exist", async () => {
    await expect(createTestApp("pglite", { env: { JOB_TIMEOUTS: "withdrawls=60" } })).rejects.toThrow(
      /JOB_TIMEOUTS names "withdrawls", which is not a job; the jobs are withdrawals, arena-emission/,
    );
  });

  it("gives each job its own timeout, JOB_TIMEOUTS over it", async () => {
    const test = await createTestApp("pglite", {
      env: { JOB_TIMEOUTS: "withdrawals=90", JOB_TIMEOUT_SECONDS: "600" },
    });
    try {
      const timeouts = new Map(test.app.services.scheduler.jobs.map((j) => [j.spec.name, j.timeoutMs]));
      expect(timeouts.get("withdrawals")).toBe(90_000);
      for (const job of jobs.filter((j) => j.name !== "withdrawals"))
        expect(timeouts.get(job.name), job.name).toBe((job.defaultTimeoutSeconds ?? 600) * 1000);
      // Every job of the bot has a timeout of its own; JOB_TIMEOUT_SECONDS is for jobs added later.
      expect(jobs.filter((j) => j.defaultTimeoutSeconds === undefined).map((j) => j.name)).toEqual([]);
    } finally {
      await test.close();
    }
  });

  it("gives each job its configured schedule", async () => {
    const test = await createTestApp("pglite", {
      env: { JOB_SCHEDULES: "withdrawals=*/5 * * * *;arena-emission=off" },
    });
    try {
      const schedules = new Map(test.app.services.scheduler.jobs.map((j) => [j.spec.name, j.expression]));
      expect(schedules.get("withdrawals")).toBe("*/5 * * * *");
      expect(schedules.get("arena-emission")).toBe("off");
      // Every other job keeps its default schedule.
      for (const job of jobs.filter((j) => !["withdrawals", "arena-emission"].includes(j.name))) {
        expect(schedules.get(job.name)).toBe(job.defaultSchedule);
      }
      expect(schedules.size).toBe(jobs.length);
    } finally {
      await test.close();
    }
  });
});
