// A farmer's name in a dataset (docs/economy.md section 10.1): derived with the server's secret from
// the dataset (its factory) and the user, so it is stable across versions, differs between datasets
// (two datasets cannot be joined on it) and reveals neither the platform name nor any id.
import { createHmac } from "node:crypto";

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

export function pseudonym(secret: string, factoryId: number, userId: number): string {
  const digest = createHmac("sha256", secret).update(`pseudonym\0${factoryId}\0${userId}`).digest();
  let name = "";
  for (let i = 0; i < 10; i++) name += ALPHABET[digest[i]! % ALPHABET.length];
  return `farmer-${name}`;
}
