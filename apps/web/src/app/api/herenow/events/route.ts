import { database } from "@/server/db";

export const dynamic = "force-dynamic";

/** `POST /api/herenow/events`: the party's signed webhook batches, applied by @herenow/db's receiver. */
export const POST = (request: Request): Promise<Response> => database().receiveEvents(request);
