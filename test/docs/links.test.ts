// Every relative link in README.md and docs/*.md leads somewhere: the file exists and, for a
// #fragment, the page has a heading with that anchor (GitHub's slugs). Moving a page or renaming a
// heading then fails here instead of leaving a dead link for the next reader.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAGES = [
  join(ROOT, "README.md"),
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(ROOT, "docs", name)),
];

const withoutCode = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, "");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, "")
    .replace(/ /g, "-");

function anchorsOf(file: string): Set<string> {
  const headings = withoutCode(readFileSync(file, "utf8")).match(/^#{1,6} .*$/gm) ?? [];
  return new Set(headings.map((h) => slug(h.replace(/^#+ /, ""))));
}

function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const [, target = ""] of withoutCode(readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
    const [path = "", anchor] = target.split("#");
    const destination = path === "" ? file : resolve(dirname(file), path);
    const where = `${relative(ROOT, file)}: ${target}`;
    if (!existsSync(destination)) broken.push(`${where} (no such file)`);
    else if (anchor && destination.endsWith(".md") && !anchorsOf(destination).has(anchor))
      broken.push(`${where} (no such heading)`);
  }
  return broken;
}

it("every relative link in the README and docs/ resolves", () => {
  expect(PAGES.length).toBeGreaterThan(10);
  expect(PAGES.flatMap(brokenLinks)).toEqual([]);
});

it("reports a missing file and a missing heading, and ignores links in code", () => {
  const dir = mkdtempSync(join(tmpdir(), "forgebot-links-"));
  const page = join(dir, "page.md");
  writeFileSync(
    page,
    [
      "# A page",
      "## Its part",
      "[ok](#its-part) [ok too](page.md#a-page) [web](https://example.org/x)",
      "[gone](nowhere.md) [no heading](page.md#elsewhere)",
      "```md",
      "[in code](ignored.md)",
      "```",
    ].join("\n"),
  );
  expect(brokenLinks(page).map((b) => b.replace(/^.*?: /, ""))).toEqual([
    "nowhere.md (no such file)",
    "page.md#elsewhere (no such heading)",
  ]);
});
