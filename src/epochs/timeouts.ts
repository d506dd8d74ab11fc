// How long a run may take. A step that never resolves (an RPC call nobody answers) would otherwise
// keep renewing its lease forever: its period would never finish and the job's later periods would
// wait behind it. Past its timeout a run is stopped (its AbortSignal aborted, its heartbeat no
// longer renewed) and recorded as failed, and the usual retries take it from there; its steps
// being idempotent, a retry does not do again what the timed-out attempt did.

/** Why a run was stopped: the AbortSignal's reason, and the failure recorded in job_runs. */
export class JobTimeoutError extends Error {
  override name = "JobTimeoutError";

  constructor(readonly timeoutMs: number) {
    super(`timed out after ${formatSeconds(timeoutMs)}`);
  }
}

/** "300 s", or "0.25 s" for the short timeouts of tests. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** "5 min", "2 h", "90 s": a timeout as /epoch status shows it. */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return formatSeconds(ms);
}
