// The expiry timeline's grouping, over what Rust computed for each item (status, expiry,
// rotation date): the window adds no expiry rules of its own.
import type { ItemSummary } from '../bindings/ItemSummary';

const WEEK = 7 * 86400;

export interface Due {
  item: ItemSummary;
  /** When it is due (Unix seconds), or null when nothing is known. */
  at: number | null;
  reason: 'expired' | 'expires' | 'rotation due' | 'needs a new login' | 'no expiry';
  group: 'now' | 'week' | 'later' | 'none';
}

/** Why and when one item is due. */
export function dueOf(item: ItemSummary, now: number): Due {
  const exp = item.expires_at;
  let rot = item.rotation_due_at;
  switch (item.status) {
    case 'reauth_required':
      return { item, at: exp, reason: 'needs a new login', group: 'now' };
    case 'expired':
      return { item, at: exp, reason: 'expired', group: 'now' };
    case 'rotation_due':
      return { item, at: rot, reason: 'rotation due', group: 'now' };
    default:
      break;
  }
  // The sooner of the expiry and the rotation date; a snoozed reminder comes back when
  // the snooze ends (an expiry stays where it is: a snooze never hides it).
  let at: number | null = null;
  let reason: Due['reason'] = 'no expiry';
  if (exp !== null) {
    at = exp;
    reason = 'expires';
  }
  const snoozed = item.snoozed_until;
  if (rot !== null && snoozed !== null) rot = Math.max(rot, snoozed);
  if (rot !== null && (at === null || rot < at)) {
    at = rot;
    reason = 'rotation due';
  }
  if (at === null) return { item, at, reason, group: 'none' };
  return { item, at, reason, group: at - now <= WEEK || item.status === 'expiring' ? 'week' : 'later' };
}

export type Timeline = Record<Due['group'], Due[]>;

/** Every item in its group, soonest first (then by name). */
export function timeline(items: readonly ItemSummary[], now: number): Timeline {
  const out: Timeline = { now: [], week: [], later: [], none: [] };
  for (const item of items) {
    const d = dueOf(item, now);
    out[d.group].push(d);
  }
  const byTime = (a: Due, b: Due) => (a.at ?? Infinity) - (b.at ?? Infinity) || a.item.name.localeCompare(b.item.name);
  for (const g of Object.values(out)) g.sort(byTime);
  return out;
}
