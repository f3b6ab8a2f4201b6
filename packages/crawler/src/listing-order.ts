/** The order in which `DescribeInvocations` lists an instance's records, as observed. */
export type ListingOrder = 'newest-first' | 'oldest-first' | 'unordered' | 'unknown';

/** The order one page shows, from its records' creation times (`t`) as listed. */
export function orderOfPage(items: readonly { t: number }[]): ListingOrder {
  let up = 0;
  let down = 0;
  for (let i = 1; i < items.length; i++) {
    const d = (items[i] as { t: number }).t - (items[i - 1] as { t: number }).t;
    if (d > 0) up++;
    else if (d < 0) down++;
  }
  if (up > 0 && down > 0) return 'unordered';
  return up > 0 ? 'oldest-first' : down > 0 ? 'newest-first' : 'unknown';
}

/**
 * What is known of the order after one more page: a page that shows no order teaches nothing, the first
 * that does sets it, and any page that disagrees with it (or is unordered itself) makes it `unordered`
 * for good. The API does not document its order: it is learnt, never assumed.
 */
export function learnOrder(known: ListingOrder, page: ListingOrder): ListingOrder {
  if (page === 'unknown' || page === known || known === 'unordered') return known;
  return known === 'unknown' ? page : 'unordered';
}
