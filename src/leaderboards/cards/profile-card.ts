// A member's profile as a picture: their avatar when the platform gave one, reputation, XP and
// level (and what the next level needs), staking tier, earnings per token.
import { type Image, loadImage } from "@napi-rs/canvas";
import { xpWords } from "../xp-words.ts";
import { COLORS, Painter, type RenderedCard } from "./painter.ts";

export const PROFILE_CARD = { width: 800, height: 400 } as const;

export interface ProfileView {
  name: string;
  /** 0-100, when the reputation feature records it. */
  reputation?: number;
  xp?: { total: number; level: number; intoLevel: number; levelSize: number };
  /** Staking tier 0..5 and progress to the next, as a fraction. */
  tier?: { tier: number; progress: number; next?: string };
  /** Earnings per token, already formatted, e.g. "120.5 USDC". */
  earnings: string[];
  /** Where the member stands, e.g. "#3 of 40 farmers this month". */
  standing?: string;
  /** The member's picture, decoded by decodeAvatar. */
  avatar?: Image;
}

const AVATAR = 64;

/**
 * The platform's picture (PNG, JPEG, WebP or GIF bytes) decoded for the card, or undefined when the
 * bytes are not one (the card is drawn without it). Decoding is asynchronous; drawing then is not.
 */
export async function decodeAvatar(bytes: Uint8Array | undefined): Promise<Image | undefined> {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const image = await loadImage(Buffer.from(bytes));
    return image.width > 0 && image.height > 0 ? image : undefined;
  } catch {
    return undefined;
  }
}

const PAD = 32;

export async function renderProfileCard(view: ProfileView): Promise<RenderedCard> {
  const { width, height } = PROFILE_CARD;
  const p = new Painter(width, height);
  p.rect(0, 0, width, 6, COLORS.accent);
  const { avatar } = view;
  let nameX = PAD;
  if (avatar) {
    // A round picture the height of the name line and the standing under it.
    const { ctx } = p;
    ctx.save();
    ctx.beginPath();
    ctx.arc(PAD + AVATAR / 2, 22 + AVATAR / 2, AVATAR / 2, 0, Math.PI * 2);
    ctx.clip();
    ctx.drawImage(avatar, PAD, 22, AVATAR, AVATAR);
    ctx.restore();
    nameX = PAD + AVATAR + 16;
  }
  p.text(view.name, nameX, 50, width - PAD - nameX - 180, { size: 34, bold: true });
  const tierLabel = view.tier ? (view.tier.tier > 0 ? `Tier ${view.tier.tier}` : "No tier") : "Tier —";
  p.rect(width - PAD - 160, 28, 160, 44, COLORS.panel, 22);
  p.text(tierLabel, width - PAD - 80, 50, 140, { size: 20, bold: true, color: COLORS.gold, align: "center" });
  if (view.standing) p.text(view.standing, nameX, 92, width - PAD - nameX, { size: 18, color: COLORS.muted });

  const barW = width - 2 * PAD - 190 - 265;
  const line = (y: number, label: string, value: string, fraction: number, color: string) => {
    p.text(label, PAD, y, 180, { size: 18, color: COLORS.muted });
    p.bar(PAD + 190, y - 9, barW, 18, fraction, color);
    p.text(value, width - PAD, y, 250, { size: 16, align: "right" });
  };
  line(
    140,
    "Reputation",
    view.reputation === undefined ? "—" : `${Math.round(view.reputation)} / 100`,
    (view.reputation ?? 0) / 100,
    COLORS.good,
  );
  line(
    190,
    view.xp ? `Level ${view.xp.level}` : "Level —",
    view.xp ? xpWords(view.xp) : "—",
    view.xp && view.xp.levelSize > 0 ? view.xp.intoLevel / view.xp.levelSize : 0,
    COLORS.accent,
  );
  line(240, "Next tier", view.tier?.next ?? "—", view.tier?.progress ?? 0, COLORS.gold);

  p.text("Earnings", PAD, 296, 200, { size: 18, bold: true });
  const earnings = view.earnings.length > 0 ? view.earnings.slice(0, 4) : ["nothing yet"];
  const colW = (width - 2 * PAD) / 2;
  earnings.forEach((e, i) => {
    p.text(e, PAD + (i % 2) * colW, 332 + Math.floor(i / 2) * 32, colW - 16, {
      size: 20,
      color: view.earnings.length > 0 ? COLORS.good : COLORS.muted,
    });
  });
  return p.render();
}
