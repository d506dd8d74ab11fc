// Graceful drain on SIGTERM (and SIGINT): the first signal runs the drain (take nothing new,
// finish the commands, gradings and job step under way, close) and exits 0 when it is done, or 1
// when it outlasts its bound (SHUTDOWN_TIMEOUT_SECONDS): what was left is picked up by another
// replica or after the restart (claims expire, queued gradings resume). A second signal exits at
// once: an operator who presses Ctrl-C twice, or a supervisor that has run out of patience.
import type { Logger } from "#src/log.ts";

export interface ShutdownOptions {
  timeoutMs: number;
  log: Logger;
  /** process.exit, replaceable in tests. */
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

export interface Shutdown {
  /** Adds a step to the drain; steps run in the order added. */
  step(name: string, run: () => Promise<unknown>): void;
  /** Runs the drain (once; later calls wait for the same one). */
  run(reason: string): Promise<void>;
}

export function gracefulShutdown(options: ShutdownOptions): Shutdown {
  const { log, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const steps: Array<{ name: string; run: () => Promise<unknown> }> = [];
  let running: Promise<void> | undefined;
  const run = (reason: string): Promise<void> => {
    running ??= (async () => {
      const started = performance.now();
      log.info({ reason, timeoutMs }, "shutting down: draining");
      for (const step of steps) {
        try {
          await step.run();
        } catch (error) {
          log.warn({ err: error, step: step.name }, "a shutdown step failed; going on");
        }
        log.debug({ step: step.name, ms: Math.round(performance.now() - started) }, "shutdown step done");
      }
      log.info({ ms: Math.round(performance.now() - started) }, "drained; exiting");
    })();
    return running;
  };
  for (const signal of options.signals ?? (["SIGINT", "SIGTERM"] as const)) {
    process.on(signal, () => {
      if (running) {
        log.warn({ signal }, "second signal: exiting now, without waiting for the drain");
        exit(1);
        return;
      }
      const timer = setTimeout(() => {
        log.error({ timeoutMs }, "the drain outlasted SHUTDOWN_TIMEOUT_SECONDS: exiting with work left");
        exit(1);
      }, timeoutMs);
      timer.unref();
      void run(signal).then(() => {
        clearTimeout(timer);
        exit(0);
      });
    });
  }
  return { step: (name, work) => void steps.push({ name, run: work }), run };
}
