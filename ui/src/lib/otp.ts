// The Codes view's pure helpers: grouping a code for reading, the card's avatar, the phase
// of a time-based code at a given second (Rust's clock), search, and the import labels.
import type { ImportFormat } from '../bindings/ImportFormat';
import type { ImportRow } from '../bindings/ImportRow';
import type { OtpCode } from '../bindings/OtpCode';
import type { OtpType } from '../bindings/OtpType';
import { buildSearchIndex, type SearchIndex, searchIndex } from './search';

/** `123 456`, `123 4567`, `1234 5678`; Steam's five characters as they are. */
export function groupOtp(code: string, type: OtpType = 'totp'): string {
  if (type === 'steam' || code.length <= 5) return code;
  switch (code.length) {
    case 6:
    case 7:
      return `${code.slice(0, 3)} ${code.slice(3)}`;
    case 9:
      return `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`;
    default: {
      const half = Math.floor(code.length / 2);
      return `${code.slice(0, half)} ${code.slice(half)}`;
    }
  }
}

/** The card's title: the issuer when there is one, else the item name. */
export function codeTitle(c: Pick<OtpCode, 'issuer' | 'name'>): string {
  const issuer = c.issuer?.trim() ?? '';
  return issuer !== '' ? issuer : c.name;
}

/** The line under the title: the account, or the item name when it adds something. */
export function codeSubtitle(c: Pick<OtpCode, 'issuer' | 'name' | 'account'>): string {
  const account = c.account?.trim() ?? '';
  if (account !== '') return account;
  const title = codeTitle(c);
  return c.name !== title ? c.name : '';
}

/** Two letters for the avatar: the first two words' initials ("Google Cloud" → GC, and
 * camelCase counts: "GitHub" → GH), else the first two letters ("npm" → NP). */
export function initials(label: string): string {
  const words = label
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
  const first = (w: string | undefined) => (w === undefined ? '' : (Array.from(w)[0] ?? ''));
  let out: string;
  const [w1, w2] = words;
  if (w2 !== undefined) out = first(w1) + first(w2);
  else out = Array.from(w1 ?? '').slice(0, 2).join('');
  return out === '' ? '?' : out.toUpperCase();
}

export const AVATAR_TONES = 10;

/** A stable colour (one of AVATAR_TONES) from the issuer name: FNV-1a of its lowercase. */
export function avatarTone(label: string): number {
  let h = 0x811c9dc5;
  for (const ch of label.trim().toLowerCase()) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % AVATAR_TONES;
}

/** A time-based code at one second of Rust's clock. */
export interface Phase {
  code: string;
  /** The next period's code, when known. */
  next: string | null;
  /** Whole seconds until the code changes. */
  left: number;
  /** First second of the shown code's period (Unix seconds). */
  from: number;
  period: number;
}

/** Seconds before the end of a period when the next code is shown. */
export const NEXT_CODE_SECONDS = 5;

/** The code to show at `now` (null for HOTP). Once the period is over and before the list
 * is read again, the next code (already known) takes over, so the card never shows a stale
 * code nor flashes empty while Rust is asked. */
export function phaseAt(c: OtpCode, now: number): Phase | null {
  if (c.otp_type === 'hotp' || c.code === null) return null;
  const period = c.period > 0 ? c.period : Math.max(1, c.valid_until - c.valid_from);
  if (now >= c.valid_until && c.next_code !== null && now < c.valid_until + period) {
    return { code: c.next_code, next: null, left: c.valid_until + period - now, from: c.valid_until, period };
  }
  return { code: c.code, next: c.next_code, left: Math.max(0, c.valid_until - now), from: c.valid_from, period };
}

/** What the reads so far tell of Rust's clock minus the window's (seconds): it lies in
 * [low, high). */
export interface ClockFix {
  low: number;
  high: number;
}

/**
 * Narrows the clock offset with one read that started at `t0` and ended at `t1` (window ms)
 * and got Rust's `now` (whole seconds, rounded down): at some moment between t0 and t1
 * Rust's clock was in [now, now + 1), so the offset is in [now − t1, now + 1 − t0). The
 * reads' intervals are intersected; one that does not overlap (the window's clock was
 * changed) starts over.
 */
export function fixClock(prev: ClockFix | null, now: number, t0: number, t1: number): ClockFix {
  const low = now - t1 / 1000;
  const high = now + 1 - t0 / 1000;
  if (prev === null || prev.low >= high || prev.high <= low) return { low, high };
  return { low: Math.max(prev.low, low), high: Math.min(prev.high, high) };
}

/** The best guess within a fix: its middle (off by at most half its width). */
export function offsetOf(fix: ClockFix | null): number {
  return fix === null ? 0 : (fix.low + fix.high) / 2;
}

/** When the list must be read again: the end of the earliest shown period. */
export function refreshAt(codes: readonly OtpCode[]): number {
  let at = Infinity;
  for (const c of codes) {
    if (c.otp_type !== 'hotp' && c.code !== null && c.valid_until < at) at = c.valid_until;
  }
  return at;
}

export type IndexedCode = SearchIndex<OtpCode>;

export function indexCodes(codes: readonly OtpCode[]): IndexedCode {
  return buildSearchIndex(codes, (c) => ({ name: c.name, rest: [c.issuer, c.account, c.tags.join(' ')] }));
}

/** Every word must match the name, issuer, account or tags, as the item search does (typos
 * forgiven, best matches first). */
export function searchCodes(index: IndexedCode, query: string): OtpCode[] {
  return searchIndex(index, query);
}

export const OTP_TYPE_LABEL: Record<OtpType, string> = { totp: 'TOTP', hotp: 'HOTP', steam: 'Steam' };

export const FORMAT_LABEL: Record<ImportFormat, string> = {
  otpauth: 'otpauth:// list',
  qr: 'QR code image',
  google_migration: 'Google Authenticator',
  aegis: 'Aegis',
  two_fas: '2FAS',
  ente: 'Ente Auth',
  dotenv: '.env file',
  kdbx: 'KeePass / KeePassXC database (.kdbx)',
  keepassxc_xml: 'KeePassXC XML export',
  keepassxc_csv: 'KeePassXC CSV export',
  bitwarden: 'Bitwarden (JSON, plain or encrypted)',
  onepassword: '1Password (.1pux)',
  postman: 'Postman collection or environment',
  bruno: 'Bruno collection (folder)',
  insomnia: 'Insomnia export',
  csv: 'CSV with a column mapping',
};

/** The 2FA formats (detected from the content). */
export const FORMATS: readonly ImportFormat[] = ['otpauth', 'qr', 'google_migration', 'aegis', 'two_fas', 'ente'];

/** Every format by group, for the import of everything. */
export const FORMAT_GROUPS: readonly (readonly [string, readonly ImportFormat[]])[] = [
  ['Files', ['dotenv', 'csv']],
  ['Password managers', ['kdbx', 'keepassxc_xml', 'keepassxc_csv', 'bitwarden', 'onepassword']],
  ['API clients', ['postman', 'bruno', 'insomnia']],
  ['2FA apps', FORMATS],
];

/** "TOTP · 6 digits · 30 s", "HOTP · 8 digits", "Steam". */
export function rowType(r: Pick<ImportRow, 'otp_type' | 'digits' | 'period'>): string {
  if (r.otp_type === null) return '—';
  if (r.otp_type === 'steam') return OTP_TYPE_LABEL.steam;
  const parts = [OTP_TYPE_LABEL[r.otp_type]];
  if (r.digits !== null) parts.push(`${String(r.digits)} digits`);
  if (r.otp_type === 'totp' && r.period !== null) parts.push(`${String(r.period)} s`);
  return parts.join(' · ');
}

/** "this Aegis export is encrypted; …", "wrong password for this Aegis export" → "Aegis"
 * (the errors name the export's app). */
export function encryptedFormat(message: string): string | null {
  const m = /\bthis (.+?) export\b/i.exec(message);
  return m?.[1] ?? null;
}

/** Standard base64 of bytes (chunked: no call-stack limit on big files). */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(bin);
}

/** A chosen or dropped file's bytes as base64 (FileReader: WebKitGTK and jsdom alike). */
export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const r = reader.result;
      if (r instanceof ArrayBuffer) resolve(toBase64(new Uint8Array(r)));
      else reject(new Error('the file could not be read'));
    };
    reader.onerror = () => {
      reject(reader.error ?? new Error('the file could not be read'));
    };
    reader.readAsArrayBuffer(file);
  });
}
