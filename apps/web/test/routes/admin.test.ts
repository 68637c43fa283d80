import { afterAll, describe, expect, it } from "vitest";
import { GET as adminRoom } from "@/app/api/admin/rooms/[room]/route";
import { GET as adminRooms } from "@/app/api/admin/rooms/route";
import { POST as adminSession } from "@/app/api/admin/session/route";
import { resetEnv } from "@/env";
import { ADMIN_COOKIE } from "@/server/admin-session";
import { closeDatabase } from "@/server/db";
import { adminSignedIn, cookieFrom, formPost, request, signedIn } from "./support";

const password = process.env.HERENOW_ADMIN_PASSWORD as string;
const roomParams = (room: string) => ({ params: Promise.resolve({ room }) });
const canList = async (cookie: string) => (await adminRooms(request("/api/admin/rooms", { cookie }))).status === 200;

afterAll(closeDatabase);

describe("admin authorization", () => {
  it("answers 401 to the admin API without an admin session", async () => {
    expect((await adminRooms(request("/api/admin/rooms"))).status).toBe(401);
    expect((await adminRoom(request("/api/admin/rooms/lobby"), roomParams("lobby"))).status).toBe(401);
  });

  it("does not take a visitor's session, or a made-up cookie, for an admin one", async () => {
    const visitor = await signedIn();
    const asAdmin = visitor.replace(/^[^=]+=/, `${ADMIN_COOKIE}=`);
    expect((await adminRooms(request("/api/admin/rooms", { cookie: visitor }))).status).toBe(401);
    expect((await adminRooms(request("/api/admin/rooms", { cookie: asAdmin }))).status).toBe(401);
    expect((await adminRooms(request("/api/admin/rooms", { cookie: `${ADMIN_COOKIE}=admin` }))).status).toBe(401);
  });

  it("refuses a wrong password and opens a session for the right one", async () => {
    const wrong = await adminSession(formPost("/api/admin/session", { intent: "login", password: "guess" }));
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get("location")).toBe("/admin/login?error=wrong_password");
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const right = await adminSession(formPost("/api/admin/session", { intent: "login", password }));
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/admin");
    const setCookie = right.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);

    const cookie = cookieFrom(right);
    const listed = await adminRooms(request("/api/admin/rooms", { cookie }));
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({
      rooms: expect.any(Array),
      search: "",
      page: 1,
      pageCount: expect.any(Number),
      total: expect.any(Number),
    });
    const one = await adminRoom(request("/api/admin/rooms/lobby", { cookie }), roomParams("lobby"));
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ connections: [], sessions: [] });
    expect((await adminRoom(request("/api/admin/rooms/x", { cookie }), roomParams("a b"))).status).toBe(400);
  });

  it("ends the session on logout", async () => {
    const response = await adminSession(formPost("/api/admin/session", { intent: "logout" }));
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`^${ADMIN_COOKIE}=;.*Max-Age=0`));
  });

  it("refuses a copy of the cookie taken before logout, and leaves other sessions open", async () => {
    // a copy is the same value sent from somewhere else: the browser's own cookie is cleared on logout
    const copied = await adminSignedIn();
    const elsewhere = await adminSignedIn();
    expect(await canList(copied)).toBe(true);

    const logout = await adminSession(formPost("/api/admin/session", { intent: "logout" }, {}, copied));
    expect(logout.status).toBe(303);
    expect(await canList(copied)).toBe(false);
    const one = await adminRoom(request("/api/admin/rooms/lobby", { cookie: copied }), roomParams("lobby"));
    expect(one.status).toBe(401);
    // logging out is one session's business: the admin's other browser stays in
    expect(await canList(elsewhere)).toBe(true);
  });

  it("refuses a cookie minted under the old password once the password changes", async () => {
    const cookie = await adminSignedIn();
    expect(await canList(cookie)).toBe(true);
    process.env.HERENOW_ADMIN_PASSWORD = "a brand new admin passphrase";
    resetEnv();
    try {
      expect(await canList(cookie)).toBe(false);
      const fresh = await adminSignedIn("a brand new admin passphrase");
      expect(await canList(fresh)).toBe(true);
    } finally {
      process.env.HERENOW_ADMIN_PASSWORD = password;
      resetEnv();
    }
  });
});
