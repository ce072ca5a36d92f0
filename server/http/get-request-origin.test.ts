import { describe, expect, it } from "vitest";
import { getRequestOrigin } from "./get-request-origin";

describe("getRequestOrigin", () => {
  it("takes the address the nearest proxy appended, not one the client put first", () => {
    const headers = new Headers({ "x-forwarded-for": "10.9.9.9, 203.0.113.7", "user-agent": "Firefox" });

    expect(getRequestOrigin(headers, 1)).toEqual({ ip: "203.0.113.7", userAgent: "Firefox" });
  });

  it("counts trusted proxies from the right", () => {
    const headers = new Headers({ "x-forwarded-for": "10.9.9.9, 203.0.113.7, 10.0.0.2" });
    expect(getRequestOrigin(headers, 2).ip).toBe("203.0.113.7");
    expect(getRequestOrigin(headers, 1).ip).toBe("10.0.0.2");
    expect(getRequestOrigin(new Headers({ "x-forwarded-for": "198.51.100.9" }), 3).ip).toBe("198.51.100.9");
  });

  it("falls back to x-real-ip, then to a fixed key", () => {
    expect(getRequestOrigin(new Headers({ "x-real-ip": "198.51.100.2" }), 1).ip).toBe("198.51.100.2");
    expect(getRequestOrigin(new Headers(), 1).ip).toBe("unknown");
  });

  it("trusts no header without a proxy, so a client cannot pick its own rate-limit key", () => {
    const forged = new Headers({ "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.10" });
    expect(getRequestOrigin(forged, 0).ip).toBe("unknown");
  });
});
