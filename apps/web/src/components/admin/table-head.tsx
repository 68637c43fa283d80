/**
 * A table's header row, one column heading each. A heading given as `{ hidden: "Actions" }`
 * is for screen readers only (a column of buttons needs no visible title).
 *
 * @example
 * <TableHead columns={["User", "Joined", { hidden: "Actions" }]} />
 */
export function TableHead({ columns }: { columns: readonly (string | { hidden: string })[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) =>
          typeof column === "string" ? (
            <th key={column} scope="col">
              {column}
            </th>
          ) : (
            <th key={column.hidden} scope="col">
              <span className="visually-hidden">{column.hidden}</span>
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
