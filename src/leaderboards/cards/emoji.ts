// Colour emoji for the cards, drawn from Twemoji's SVG artwork as the @discordapp/twemoji package ships
// it (the pictures Discord itself shows; graphics CC-BY 4.0, attributed in the README). The artwork is
// read from the installed package, never fetched, and the package version is pinned, so an emoji is the
// same pixels on every machine. Each picture is decoded once per process and kept.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Image } from "@napi-rs/canvas";

const ARTWORK_DIR = join(
  dirname(createRequire(import.meta.url).resolve("@discordapp/twemoji/package.json")),
  "dist",
  "svg",
);
const VARIATION_SELECTOR = "fe0f";

/** Artwork file names (without ".svg") by their name with every U+FE0F left out. */
let artwork: Map<string, string> | undefined;
const decoded = new Map<string, Image | null>();

function artworkByBareName(): Map<string, string> {
  if (artwork) return artwork;
  artwork = new Map();
  // Sorted so that, should two files differ only in U+FE0F, the same one wins on every file system.
  const names = readdirSync(ARTWORK_DIR)
    .filter((file) => file.endsWith(".svg"))
    .map((file) => file.slice(0, -".svg".length))
    .sort();
  for (const name of names) {
    const bare = withoutVariationSelector(name);
    if (!artwork.has(bare) || name === bare) artwork.set(bare, name);
  }
  return artwork;
}

function withoutVariationSelector(name: string): string {
  return name
    .split("-")
    .filter((point) => point !== VARIATION_SELECTOR)
    .join("-");
}

/**
 * The artwork's name for a grapheme cluster ("1f44d-1f3fd" for 👍🏽), or undefined when it has none.
 * Twemoji names files by code point, with U+FE0F kept in some sequences and not in others; people type
 * emoji with and without it, so a cluster matches its file either way.
 */
export function artworkName(cluster: string): string | undefined {
  const name = Array.from(cluster, (ch) => ch.codePointAt(0)!.toString(16)).join("-");
  return artworkByBareName().get(withoutVariationSelector(name));
}

/** The decoded picture of an emoji grapheme cluster, or undefined when the artwork lacks it. */
export function emojiImage(cluster: string): Image | undefined {
  const name = artworkName(cluster);
  if (name === undefined) return undefined;
  let image = decoded.get(name);
  if (image === undefined) {
    image = decode(join(ARTWORK_DIR, `${name}.svg`));
    decoded.set(name, image);
  }
  return image ?? undefined;
}

/** Decodes synchronously (the canvas decodes an SVG given as bytes at once); null when it cannot. */
function decode(path: string): Image | null {
  const image = new Image();
  let failed = false;
  image.onerror = () => {
    failed = true;
  };
  image.src = readFileSync(path);
  return !failed && image.complete && image.width > 0 ? image : null;
}
