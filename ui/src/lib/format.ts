// Labels and dates for the screens. Times on the wire are Unix seconds.
import type { Action } from '../bindings/Action';
import type { Kind } from '../bindings/Kind';
import type { Placement } from '../bindings/Placement';
import type { SecretField } from '../bindings/SecretField';
import type { Status } from '../bindings/Status';

export const KINDS: readonly Kind[] = ['api_key', 'bearer', 'oauth2', 'basic', 'totp'];

export const KIND_LABEL: Record<Kind, string> = {
  api_key: 'API key',
  bearer: 'Bearer token',
  oauth2: 'OAuth2 client',
  basic: 'Basic auth',
  totp: 'TOTP',
};

/** Sidebar (plural) labels. */
export const KIND_PLURAL: Record<Kind, string> = {
  api_key: 'API keys',
  bearer: 'Bearer tokens',
  oauth2: 'OAuth2 clients',
  basic: 'Basic auth',
  totp: 'One-time codes',
};

/** What the main secret (`value`) is called for each kind. */
export const VALUE_LABEL: Record<Kind, string> = {
  api_key: 'API key',
  bearer: 'Token',
  oauth2: 'Client secret',
  basic: 'Password',
  totp: 'Secret',
};

export function secretLabel(kind: Kind, field: SecretField): string {
  switch (field) {
    case 'value':
      return VALUE_LABEL[kind];
    case 'notes':
      return 'Notes';
    case 'access_token':
      return 'Access token';
    case 'refresh_token':
      return 'Refresh token';
  }
}

export const STATUS_LABEL: Record<Status, string> = {
  ok: 'OK',
  expiring: 'Expiring',
  expired: 'Expired',
  rotation_due: 'Rotation due',
  reauth_required: 'Re-auth required',
  // No expiry date and no rotation reminder: most API keys. Said plainly, not as a warning.
  unknown: 'No expiry',
};

/** The statuses that need the user's attention (the sidebar's "Expiring" view). */
export function needsAttention(s: Status): boolean {
  return s === 'expiring' || s === 'expired' || s === 'rotation_due' || s === 'reauth_required';
}

export const ACTION_LABEL: Record<Action, string> = {
  add: 'Created',
  change: 'Changed',
  delete: 'Deleted',
  reveal: 'Revealed',
  copy: 'Copied',
  rename: 'Renamed',
  trash: 'Moved to Trash',
  restore: 'Restored',
  purge: 'Deleted forever',
  export: 'Exported',
};

/** A live countdown: "3 h 12 min", "4 min 05 s", "12 s"; days past a day ("2 days 3 h"). */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${plural(d, 'day')}${h > 0 ? ` ${String(h)} h` : ''}`;
  if (h > 0) return `${String(h)} h ${String(m)} min`;
  if (m > 0) return `${String(m)} min ${String(sec).padStart(2, '0')} s`;
  return `${String(sec)} s`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function plural(n: number, unit: string): string {
  return `${String(n)} ${unit}${n === 1 ? '' : 's'}`;
}

/** "3 days", "5 hours", "2 months": the size of a span of seconds. */
export function span(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 60) return 'less than a minute';
  if (s < 3600) return plural(Math.round(s / 60), 'minute');
  if (s < 86400) return plural(Math.round(s / 3600), 'hour');
  if (s < 86400 * 60) return plural(Math.round(s / 86400), 'day');
  if (s < 86400 * 365 * 2) return plural(Math.round(s / (86400 * 30.44)), 'month');
  return plural(Math.round(s / (86400 * 365.25)), 'year');
}

/** "in 3 days" / "2 days ago" / "just now". */
export function relative(at: number, now: number = nowSeconds()): string {
  const d = at - now;
  if (Math.abs(d) < 60) return 'just now';
  return d > 0 ? `in ${span(d)}` : `${span(d)} ago`;
}

export function formatDate(at: number): string {
  return new Date(at * 1000).toLocaleDateString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  });
}

export function formatDateTime(at: number): string {
  return new Date(at * 1000).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

interface Dated {
  status: Status;
  expires_at: number | null;
  rotation_due_at: number | null;
  /** While a snooze hides a reminder or notice (the status is then ok). */
  snoozed_until?: number | null;
}

/** One line under the status badge: "expires in 3 days", "expired 2 days ago", "rotation due". */
export function statusLine(item: Dated, now: number = nowSeconds()): string {
  const exp = item.expires_at;
  switch (item.status) {
    case 'expired':
      return exp === null ? 'expired' : `expired ${relative(exp, now)}`;
    case 'expiring':
      return exp === null ? 'expiring soon' : `expires ${relative(exp, now)}`;
    case 'rotation_due':
      return item.rotation_due_at === null
        ? 'rotation due'
        : `rotation due ${item.rotation_due_at <= now ? 'since' : 'on'} ${formatDate(item.rotation_due_at)}`;
    case 'reauth_required':
      return 'sign in again to renew';
    case 'unknown':
      return 'no expiry date or rotation reminder set';
    case 'ok':
      // A snooze hides the reminder or notice, never the expiry itself.
      if (item.snoozed_until != null) {
        const until = formatDate(item.snoozed_until);
        return exp !== null
          ? `snoozed until ${until} · expires ${relative(exp, now)}`
          : `rotation reminder snoozed until ${until}`;
      }
      if (exp !== null) return `expires ${relative(exp, now)}`;
      if (item.rotation_due_at !== null) return `rotate by ${formatDate(item.rotation_due_at)}`;
      return 'no expiry';
  }
}

export function placementText(p: Placement): string {
  switch (p.in) {
    case 'header':
      return `Header ${p.name}`;
    case 'query':
      return `Query parameter ${p.name}`;
    case 'bearer':
      return 'Authorization: Bearer';
  }
}

/** Date input value (local calendar day) from Unix seconds, and back. */
/** The calendar date (UTC) of an expiry, as the form shows it: YYYY-MM-DD. */
export function toDateInput(at: number | null): string {
  if (at === null) return '';
  const d = new Date(at * 1000);
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${m}-${day}`;
}

/** A typed date, YYYY-MM-DD, as 00:00 UTC that day: the CLI's reading of a bare date
 * (README). `null` for anything that is not a real calendar date (2026-13-45, 2026-02-30,
 * 13/45/2026) or is outside 1970–9999. */
export function fromDateInput(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return Math.floor(ms / 1000);
}

/** The recovery code in groups to copy by hand. */
export function groupCode(code: string): string[] {
  const parts = code.split(/[\s-]+/).filter((p) => p !== '');
  if (parts.length > 1) return parts;
  const groups: string[] = [];
  for (let i = 0; i < code.length; i += 4) groups.push(code.slice(i, i + 4));
  return groups;
}

/** A label inside a sentence: "API key" stays "API key", "Token" becomes "token". */
export function inSentence(label: string): string {
  return label
    .split(' ')
    .map((w) => (/^[A-Z][a-z]/.test(w) ? w.toLowerCase() : w))
    .join(' ');
}

/** "812 B", "48 KiB", "3.4 MiB": a file size. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} B`;
  if (bytes < 1024 * 1024) return `${String(Math.round(bytes / 1024))} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
