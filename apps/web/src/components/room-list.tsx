"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { headCount } from "@/lib/head-count";
import type { LobbyRoom } from "@/server/lobby";

const REFRESH_MS = 3_000;

async function fetchRooms(): Promise<LobbyRoom[]> {
  const response = await fetch("/api/rooms", { cache: "no-store" });
  if (!response.ok) throw new Error(`the room list failed to load (HTTP ${response.status})`);
  return ((await response.json()) as { rooms: LobbyRoom[] }).rooms;
}

/** The rooms with people in them and how many are in each, polled from `/api/rooms`. */
export function RoomList({ initialRooms }: { initialRooms: LobbyRoom[] }) {
  const { data: rooms, error } = useQuery({
    queryKey: ["lobby-rooms"],
    queryFn: fetchRooms,
    initialData: initialRooms,
    refetchInterval: REFRESH_MS,
  });
  return (
    <div>
      {error ? (
        <p className="form-error" role="alert">
          {error.message}; retrying.
        </p>
      ) : null}
      {rooms.length === 0 ? (
        <p className="muted">Nobody is in a room right now. Create one above and invite someone.</p>
      ) : (
        <ul className="room-list" data-testid="room-list">
          {rooms.map((room) => {
            const count = headCount(room.users, room.anonymous);
            return (
              <li key={room.name}>
                <Link href={`/rooms/${room.name}`} className="room-link">
                  <span className="room-name">#{room.name}</span>
                  <span className="room-count room-count-live">
                    <strong>{count.total}</strong> {count.people === 1 ? "person" : "people"}
                  </span>
                  <span className="room-detail muted">{count.detail}</span>
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
