import Link from "next/link";

export default function RoomNotFound() {
  return (
    <section className="card narrow">
      <h1>That is not a room name</h1>
      <p>
        Room names are 1 to 64 characters from <code>A–Z a–z 0–9 _ - .</code>, such as <code>lobby</code> or{" "}
        <code>team-1.standup</code>.
      </p>
      <p>
        <Link href="/">Back to the lobby</Link>
      </p>
    </section>
  );
}
