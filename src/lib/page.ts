/**
 * What a service answers for one page of a list, whatever the wire style (http/pagination.ts turns
 * it into the `pagination` object): the rows, plus what the style needs to say whether more follow.
 */

/** One page of a counted list (`page`/`limit`): its rows and how many rows the whole list has. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** One page of a feed or a cursor list, which never counts the whole: its rows and whether more follow. */
export interface OpenPage<T> {
  items: T[];
  hasMore: boolean;
}
