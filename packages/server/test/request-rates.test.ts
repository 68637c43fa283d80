import { describe, expect, it } from "vitest";
import { REQUESTS_PER_SECOND, RequestRates } from "../src/request-rates";

describe("RequestRates (issue 24, item 11)", () => {
  it("lets each connection make its limit a second, answers the next one and calls the rest a flood", () => {
    const rates = new RequestRates();
    const limit = REQUESTS_PER_SECOND["presence:resync"];
    const at = 5_000_000;
    const verdicts = Array.from({ length: limit + 3 }, () => rates.take("c1", "presence:resync", at));
    expect(verdicts).toEqual([...Array(limit).fill("ok"), "limited", "flood", "flood"]);
    // another connection and another request have limits of their own
    expect(rates.take("c2", "presence:resync", at)).toBe("ok");
    expect(rates.take("c1", "presence:follow", at)).toBe("ok");
    // the next second starts afresh, and a closed connection's counts go
    expect(rates.take("c1", "presence:resync", at + 1000)).toBe("ok");
    for (let n = 0; n < limit; n++) rates.take("c2", "presence:resync", at);
    rates.forget("c2");
    expect(rates.take("c2", "presence:resync", at)).toBe("ok");
  });
});
