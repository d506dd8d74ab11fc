// What a recording shows, as words: the apps in front, the text of the accessibility trees the
// recorder captured (window and element names and values), and what the farmer typed. The rubric
// grader checks a task's objectives against these words; the recorder's own output (ffmpeg) is not
// evidence of anything the farmer did.
import type { EventDigest, InputEvent, LabelledAction } from "./types.ts";

/** Words that say nothing about which work was done. */
const STOPWORDS = new Set(
  (
    "the and for with your you into from that this then than between using use all any its are was were " +
    "will can make sure ensure open how what when where which who why our out off not but has have had " +
    "each every thoroughly properly correctly new app application window display on in of to a an"
  ).split(" "),
);
/** A tree this deep or this large is not walked further (a hostile log cannot make grading slow). */
const MAX_TREE_DEPTH = 40;
const MAX_TREE_NODES = 20_000;

/** Lower-case words of 3+ letters or digits, without stopwords, in order of first appearance. */
export function keywords(text: string): string[] {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length >= 3 && !STOPWORDS.has(word));
  return [...new Set(words)];
}

export interface Evidence {
  /** Apps named by focus changes and accessibility trees, in order of first appearance. */
  apps: string[];
  words: Set<string>;
}

/** The apps and the keywords of the accessibility trees' text in a log (kept in its digest). */
export function gatherLogEvidence(events: readonly InputEvent[]): Pick<EventDigest, "apps" | "words"> {
  const apps: string[] = [];
  const texts: string[] = [];
  let nodes = 0;
  const addApp = (name: unknown) => {
    if (typeof name === "string" && name.trim() && !apps.includes(name.trim())) apps.push(name.trim());
  };
  const walk = (node: unknown, depth: number) => {
    if (depth > MAX_TREE_DEPTH || nodes >= MAX_TREE_NODES) return;
    if (Array.isArray(node)) {
      for (const child of node) walk(child, depth + 1);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    nodes++;
    const fields = node as Record<string, unknown>;
    for (const key of ["name", "value", "title", "description"]) {
      if (typeof fields[key] === "string") texts.push(fields[key]);
    }
    if (fields.role === "application") addApp(fields.name);
    walk(fields.children, depth + 1);
  };
  for (const event of events) {
    if (event.event !== "axtree" && event.event !== "axtree_interaction" && event.event !== "app_focus")
      continue;
    if (typeof event.data !== "object" || event.data === null) continue;
    const data = event.data as Record<string, unknown>;
    const focused = data.focused_app as Record<string, unknown> | null | undefined;
    addApp(focused?.name);
    addApp(data.app_name);
    if (event.event === "app_focus") addApp(data.name);
    walk(data.tree, 0);
  }
  return { apps, words: keywords([...apps, ...texts].join(" ")) };
}

/** A recording's evidence: its log's (from the digest) and the text typed in its actions. */
export function gatherEvidence(
  log: Pick<EventDigest, "apps" | "words">,
  actions: readonly LabelledAction[],
): Evidence {
  const typed = actions.flatMap((action) => (action.text ? [action.text] : []));
  return { apps: log.apps, words: new Set([...log.words, ...keywords(typed.join(" "))]) };
}

/** A keyword is evidenced by the same word, or one sharing its stem (test / testing, 4+ letters). */
export function evidenced(keyword: string, words: ReadonlySet<string>): boolean {
  if (words.has(keyword)) return true;
  if (keyword.length < 4) return false;
  for (const word of words) {
    if (word.length >= 4 && (word.startsWith(keyword) || keyword.startsWith(word))) return true;
  }
  return false;
}
