// In-memory search over the item list: every word of the query must occur somewhere in
// the item's name, tags, URL, username, issuer or kind. Haystacks are built once per list.
import type { ItemSummary } from '../bindings/ItemSummary';
import { KIND_LABEL } from './format';

export interface Indexed {
  item: ItemSummary;
  hay: string;
}

export function buildIndex(items: readonly ItemSummary[]): Indexed[] {
  return items.map((item) => ({
    item,
    hay: [
      item.name,
      item.tags.join(' '),
      item.url ?? '',
      item.username ?? '',
      item.issuer ?? '',
      item.kind,
      KIND_LABEL[item.kind],
    ]
      .join('\u0001')
      .toLowerCase(),
  }));
}

export function queryWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((w) => w !== '');
}

export function matches(hay: string, words: readonly string[]): boolean {
  for (const w of words) if (!hay.includes(w)) return false;
  return true;
}

export function search(
  index: readonly Indexed[],
  query: string,
  keep: (item: ItemSummary) => boolean = () => true,
): ItemSummary[] {
  const words = queryWords(query);
  const out: ItemSummary[] = [];
  for (const { item, hay } of index) {
    if (keep(item) && matches(hay, words)) out.push(item);
  }
  return out;
}
