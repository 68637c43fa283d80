import Link from "next/link";

/**
 * The search field above an admin list: a GET form to `action` with `q`,
 * and "Show all" while a search is in force.
 *
 * @example
 * <ListSearch action="/admin" id="room-search" label="Find a room" placeholder="part of the name" search={search} />
 */
export function ListSearch({
  action,
  id,
  label,
  placeholder,
  search,
}: {
  action: string;
  id: string;
  label: string;
  placeholder: string;
  search: string;
}) {
  return (
    <search>
      <form className="room-search" action={action}>
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          name="q"
          type="search"
          defaultValue={search}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit">Search</button>
        {search !== "" ? <Link href={action}>Show all</Link> : null}
      </form>
    </search>
  );
}
