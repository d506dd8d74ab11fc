import { describe, expect, it } from "vitest";
import { Admission } from "#src/platforms/admission.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("Admission", () => {
  it("runs at most `limit` at once, the rest in arrival order, and frees a slot on failure too", async () => {
    const admission = new Admission(2);
    const started: number[] = [];
    const finish: Array<(ok: boolean) => void> = [];
    const runs = [0, 1, 2, 3].map((n) =>
      admission
        .run(
          () =>
            new Promise<number>((resolve, reject) => {
              started.push(n);
              finish[n] = (ok) => (ok ? resolve(n) : reject(new Error(`run ${n}`)));
            }),
        )
        .catch((error: Error) => error.message),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(admission.full).toBe(true);
    expect(admission.waiting).toBe(2);
    finish[1]!(false);
    await tick();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    finish[0]!(true);
    await tick();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    finish[2]!(true);
    finish[3]!(true);
    expect(await Promise.all(runs)).toEqual([0, "run 1", 2, 3]);
    expect(admission.full).toBe(false);
    expect(admission.waiting).toBe(0);
  });

  it("has no limit at 0", async () => {
    const admission = new Admission(0);
    const all = await Promise.all(Array.from({ length: 50 }, (_, n) => admission.run(async () => n)));
    expect(all).toHaveLength(50);
    expect(admission.full).toBe(false);
  });
});
