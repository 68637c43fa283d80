import Link from "next/link";

export default function NotFound() {
  return (
    <section className="card narrow">
      <h1>Nothing here</h1>
      <p>
        <Link href="/">Back to the lobby</Link>
      </p>
    </section>
  );
}
