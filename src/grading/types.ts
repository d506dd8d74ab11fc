// The vocabulary shared by the demonstration pipeline (parse -> process -> grade) and the pools that
// pay for demonstrations. Pools depend on these types only; src/grading implements them.

/** One file of an upload: the recorder's meta.json, input_log.jsonl, a video, or one zip of them. */
export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

/** The quest a recording was made for, as the recorder wrote it into meta.json. */
export interface RecordedQuest {
  title: string;
  app: string;
  objectives: string[];
  /** The recorder's pool reference, when it had one (e.g. "factory_0x…"). */
  poolRef?: string;
  /** The recorder's task reference, when it had one (e.g. "task_2"). */
  taskRef?: string;
}

export interface DemonstrationMeta {
  id: string;
  /** When recording started (ISO 8601, as recorded). */
  timestamp: string;
  durationSeconds: number;
  platform: string;
  quest: RecordedQuest;
}

/** One line of input_log.jsonl. `time` is in milliseconds as recorded. */
export interface InputEvent {
  event: string;
  data: unknown;
  time: number;
}

export interface ParsedDemonstration {
  meta: DemonstrationMeta;
  events: InputEvent[];
  /** sha256 (hex) over the demonstration's files: the same content is accepted once system-wide. */
  contentHash: string;
  totalBytes: number;
  hasVideo: boolean;
}

/**
 * What grading needs from a log's raw events, gathered once when the upload is prepared: the
 * events themselves (megabytes for a long session) are not kept.
 */
export interface EventDigest {
  eventCount: number;
  /** Apps named by focus changes and accessibility trees, in order of first appearance. */
  apps: string[];
  /** Keywords of those apps and of the trees' text (typed text is in the actions). */
  words: string[];
  /** The longest time without any mouse or keyboard event, in ms. */
  longestInputSilenceMs: number;
  /** Some event has no usable time. */
  corrupt: boolean;
  /** Times go back further than the recorder's captures explain (timeline.ts). */
  outOfOrder: boolean;
}

/** A demonstration as it is kept and graded: the parsed upload with its events digested. */
export type DemonstrationRecord = Omit<ParsedDemonstration, "events"> & { digest: EventDigest };

/** An upload made ready off the command path: what is kept, its actions, and the farmer's summary. */
export interface PreparedDemonstration {
  demonstration: DemonstrationRecord;
  processed: ProcessedDemonstration;
  /** describeSummary's words for the farmer. */
  summary: string;
}

export type ActionKind = "click" | "drag" | "scroll" | "type" | "hotkey";

export interface LabelledAction {
  kind: ActionKind;
  /** Milliseconds since the first event. */
  atMs: number;
  durationMs: number;
  /** Human-readable detail, e.g. "typed 12 characters", "⌘+S", "scrolled down 3". */
  detail: string;
  /** A typing run's resulting text (after corrections): evidence for the graders. */
  text?: string;
}

export interface ActionSummary {
  counts: Record<ActionKind, number>;
  activeMs: number;
  idleMs: number;
  totalMs: number;
  /** Apps focused during the recording, in order of first focus. */
  apps: string[];
}

export interface ProcessedDemonstration {
  actions: LabelledAction[];
  summary: ActionSummary;
}

/** What a pool's task asks for; the grader judges the recording against it. */
export interface TaskBrief {
  title: string;
  app: string;
  objectives: string[];
}

export interface GradingInput {
  demonstration: DemonstrationRecord;
  processed: ProcessedDemonstration;
  task: TaskBrief;
}

export interface Grade {
  /** Quality 0..100, an integer. */
  score: number;
  /** Points per criterion: outcome (of 60), process (of 30), efficiency (of 10). */
  breakdown: { outcome: number; process: number; efficiency: number };
  reasons: string[];
  /** Junk signals: "empty", "too_short", "out_of_order", "idle", ... */
  flags: string[];
  grader: "rubric" | "external" | "manual";
  summary?: string;
}

/** A grader either grades, or hands the demonstration to people (manual review). */
export type GradeOutcome = { kind: "graded"; grade: Grade } | { kind: "manual_review"; reason: string };

export interface Grader {
  grade(input: GradingInput): Promise<GradeOutcome>;
}
