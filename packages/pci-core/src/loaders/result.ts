// The result of parsing or building from untrusted input: a value, or a message saying why not.

/** Success with a value, or failure with a human-readable message; nothing half-built. */
export type LoadResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A successful {@link LoadResult}. */
export function loaded<T>(value: T): LoadResult<T> {
  return { ok: true, value };
}

/** A failed {@link LoadResult}. */
export function failed<T = never>(error: string): LoadResult<T> {
  return { ok: false, error };
}
