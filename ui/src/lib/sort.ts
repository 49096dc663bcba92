// The item list's order: by name (the order Rust lists them in), by what needs the user
// first, or by the last change. Over what Rust computed (status, expiry, rotation date,
// snooze); the same order as `keywright list --sort`.
import type { ItemSummary } from '../bindings/ItemSummary';

export type SortKey = 'name' | 'expiry' | 'updated';

export const SORT_LABEL: Record<SortKey, string> = {
  name: 'Name',
  expiry: 'Expiry',
  updated: 'Last changed',
};

/** When an item next needs the user: the sooner of its expiry and its rotation reminder,
 * the reminder moved to the end of a snooze (an expiry is a fact and stays); null when
 * nothing is ever due. */
export function nextDue(item: Pick<ItemSummary, 'expires_at' | 'rotation_due_at' | 'snoozed_until'>): number | null {
  const rot =
    item.rotation_due_at === null
      ? null
      : item.snoozed_until === null
        ? item.rotation_due_at
        : Math.max(item.rotation_due_at, item.snoozed_until);
  const exp = item.expires_at;
  if (exp === null) return rot;
  if (rot === null) return exp;
  return Math.min(exp, rot);
}

function expiryRank(item: ItemSummary): [number, number] {
  const due = nextDue(item);
  if (item.status === 'expired' || item.status === 'reauth_required') return [0, due ?? -Infinity];
  return due === null ? [2, 0] : [1, due];
}

/** `items` in the order `by` asks for, as a new array. `name` keeps the given order (Rust
 * lists by name; a search keeps its ranking); ties keep it too (the sort is stable). */
export function sortItems<T extends ItemSummary>(items: readonly T[], by: SortKey): T[] {
  const out = [...items];
  switch (by) {
    case 'name':
      return out;
    case 'updated':
      return out.sort((a, b) => b.updated_at - a.updated_at);
    case 'expiry': {
      const rank = new Map(out.map((i) => [i.id, expiryRank(i)]));
      return out.sort((a, b) => {
        const [ga, ta] = rank.get(a.id) ?? [2, 0];
        const [gb, tb] = rank.get(b.id) ?? [2, 0];
        return ga - gb || (ta === tb ? 0 : ta < tb ? -1 : 1);
      });
    }
  }
}
