// The add/edit form's model: the inputs as strings, checks before sending, and the
// conversion to the wire types. Error keys are the server's `field` names.
import type { ClientAuth } from '../bindings/ClientAuth';
import type { Grant } from '../bindings/Grant';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { ItemEdit } from '../bindings/ItemEdit';
import type { ItemInput } from '../bindings/ItemInput';
import type { Kind } from '../bindings/Kind';
import type { OtpAlgorithm } from '../bindings/OtpAlgorithm';
import type { OtpType } from '../bindings/OtpType';
import type { Placement } from '../bindings/Placement';
import { fromDateInput, toDateInput } from './format';

export interface FormValues {
  kind: Kind;
  name: string;
  tags: string;
  url: string;
  username: string;
  issuer: string;
  placement_in: Placement['in'];
  placement_name: string;
  client_id: string;
  oauth_issuer: string;
  token_url: string;
  auth: ClientAuth;
  grant: Grant;
  scopes: string;
  audience: string;
  otp_type: OtpType;
  algorithm: OtpAlgorithm;
  digits: string;
  period: string;
  /** HOTP: the counter of the next code (new items only). */
  counter: string;
  expires_at: string;
  rotate_every_days: string;
  warn_days: string;
  value: string;
  notes: string;
  access_token: string;
  refresh_token: string;
}

export type FormErrors = Partial<Record<string, string>>;

export function emptyForm(kind: Kind = 'api_key'): FormValues {
  return {
    kind,
    name: '',
    tags: '',
    url: '',
    username: '',
    issuer: '',
    placement_in: 'header',
    placement_name: 'X-API-Key',
    client_id: '',
    oauth_issuer: '',
    token_url: '',
    auth: 'basic',
    grant: 'client_credentials',
    scopes: '',
    audience: '',
    otp_type: 'totp',
    algorithm: 'SHA1',
    digits: '6',
    period: '30',
    counter: '0',
    expires_at: '',
    rotate_every_days: '',
    warn_days: '',
    value: '',
    notes: '',
    access_token: '',
    refresh_token: '',
  };
}

/** The edit form starts from the item, never from its secrets. */
export function formFromDetail(d: ItemDetail): FormValues {
  const f = emptyForm(d.kind);
  f.name = d.name;
  f.tags = d.tags.join(', ');
  f.url = d.url ?? '';
  f.username = d.username ?? '';
  f.issuer = d.issuer ?? '';
  if (d.placement) {
    f.placement_in = d.placement.in;
    f.placement_name = d.placement.in === 'bearer' ? '' : d.placement.name;
  }
  if (d.oauth) {
    f.client_id = d.oauth.client_id;
    f.oauth_issuer = d.oauth.issuer ?? '';
    f.token_url = d.oauth.token_url ?? '';
    f.auth = d.oauth.auth;
    f.grant = d.oauth.grant ?? 'client_credentials';
    f.scopes = (d.oauth.scopes ?? []).join(' ');
    f.audience = d.oauth.audience ?? '';
  }
  if (d.otp) {
    f.otp_type = d.otp.type;
    f.algorithm = d.otp.algorithm;
    f.digits = String(d.otp.digits);
    f.period = String(d.otp.period);
  }
  f.expires_at = toDateInput(d.manual_expires_at);
  f.rotate_every_days = d.rotate_every_days === null ? '' : String(d.rotate_every_days);
  f.warn_days = d.warn_days === null ? '' : String(d.warn_days);
  return f;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BASE32 = /^[A-Z2-7]+=*$/;

function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function optionalInt(s: string): number | null | 'bad' {
  const t = s.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t)) return 'bad';
  return Number(t);
}

export function splitTags(s: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of s.split(',')) {
    const t = raw.trim();
    if (t !== '' && !seen.has(t.toLowerCase())) {
      seen.add(t.toLowerCase());
      out.push(t);
    }
  }
  return out;
}

/** A 2FA secret field holding an `otpauth://` link (Rust reads it: `otpLinkRead`). */
export function isOtpLink(s: string): boolean {
  return /^\s*otpauth:/i.test(s);
}

/** The grant needs no person: the client secret is what gets the token. */
export function secretRequired(f: FormValues): boolean {
  return f.kind !== 'oauth2' || f.grant === 'client_credentials';
}

/** What "Enter the …" asks for when the main secret is blank. */
const VALUE_NOUN: Record<Kind, string> = {
  api_key: 'API key',
  bearer: 'token',
  oauth2: 'client secret',
  basic: 'password',
  totp: 'secret (base32) or paste an otpauth:// link',
};

export function normaliseBase32(s: string): string {
  return s.replace(/[\s-]/g, '').toUpperCase();
}

/** Checks before sending. `editing`: secrets may stay blank (kept). */
export function validate(f: FormValues, editing: boolean): FormErrors {
  const e: FormErrors = {};
  const need = (key: keyof FormValues, msg: string) => {
    if (f[key].trim() === '') e[key] = msg;
  };
  need('name', 'Enter a name.');
  if (f.name.length > 200) e.name = 'Keep the name under 200 characters.';
  if (f.url.trim() !== '' && !isUrl(f.url.trim())) {
    e.url = 'Enter a full URL, like https://api.example.com.';
  }
  for (const t of splitTags(f.tags)) {
    if (t.length > 64) e.tags = 'Tags are at most 64 characters each.';
  }
  if (!editing && secretRequired(f)) need('value', `Enter the ${VALUE_NOUN[f.kind]}.`);

  switch (f.kind) {
    case 'api_key':
      if (f.placement_in === 'header') {
        if (f.placement_name.trim() === '') e.placement = 'Enter the header name.';
        else if (!HEADER_NAME.test(f.placement_name.trim())) {
          e.placement = 'A header name has letters, digits and - only (no spaces or colons).';
        }
      } else if (f.placement_in === 'query' && f.placement_name.trim() === '') {
        e.placement = 'Enter the query parameter name.';
      }
      break;
    case 'oauth2':
      need('client_id', 'Enter the client ID.');
      if (f.oauth_issuer.trim() === '' && f.token_url.trim() === '') {
        e.oauth_issuer = 'Enter the issuer or the token URL.';
      }
      if (f.oauth_issuer.trim() !== '' && !isUrl(f.oauth_issuer.trim())) {
        e.oauth_issuer = 'Enter the issuer as a URL, like https://login.example.com.';
      }
      if (f.token_url.trim() !== '' && !isUrl(f.token_url.trim())) {
        e.token_url = 'Enter a full URL, like https://login.example.com/oauth/token.';
      }
      break;
    case 'basic':
      need('username', 'Enter the username.');
      break;
    case 'totp': {
      const v = normaliseBase32(f.value);
      if (v !== '' && !isOtpLink(f.value) && !BASE32.test(v)) {
        e.value = 'The secret is base32: letters A–Z and digits 2–7 only.';
      }
      if (f.otp_type !== 'steam') {
        const d = Number(f.digits);
        if (!/^\d+$/.test(f.digits.trim()) || d < 6 || d > 8) e.digits = 'Digits must be 6, 7 or 8.';
      }
      if (f.otp_type !== 'hotp') {
        const p = Number(f.period);
        if (!/^\d+$/.test(f.period.trim()) || p <= 0 || p > 86_400) {
          e.period = 'The period is a number of seconds above 0 (at most 86400).';
        }
      }
      if (f.otp_type === 'hotp' && !editing && !/^\d+$/.test(f.counter.trim())) {
        e.counter = 'The counter is a whole number (0 for a new account).';
      }
      break;
    }
    case 'bearer':
      break;
  }

  if (f.expires_at.trim() !== '' && fromDateInput(f.expires_at) === null) {
    e.expires_at = `"${f.expires_at.trim()}" is not a date. Use YYYY-MM-DD, such as 2027-03-31.`;
  }
  if (optionalInt(f.rotate_every_days) === 'bad') {
    e.rotate_every_days = 'A whole number of days (0 = no reminder).';
  }
  if (optionalInt(f.warn_days) === 'bad') e.warn_days = 'A whole number of days.';
  return e;
}

function opt(s: string): string | null {
  const t = s.trim();
  return t === '' ? null : t;
}

function num(s: string): number | null {
  const n = optionalInt(s);
  return n === 'bad' ? null : n;
}

/** The non-secret part shared by add and edit. */
function common(f: FormValues): Omit<ItemEdit, 'value' | 'notes' | 'access_token' | 'refresh_token'> {
  const out: Omit<ItemEdit, 'value' | 'notes' | 'access_token' | 'refresh_token'> = {
    name: f.name.trim(),
    tags: splitTags(f.tags),
    url: opt(f.url),
    expires_at: fromDateInput(f.expires_at),
    rotate_every_days: num(f.rotate_every_days),
    warn_days: num(f.warn_days),
  };
  switch (f.kind) {
    case 'api_key':
      out.placement =
        f.placement_in === 'bearer'
          ? { in: 'bearer' }
          : { in: f.placement_in, name: f.placement_name.trim() };
      break;
    case 'oauth2':
      out.oauth = {
        client_id: f.client_id.trim(),
        issuer: opt(f.oauth_issuer),
        token_url: opt(f.token_url),
        auth: f.auth,
        grant: f.grant,
        scopes: f.scopes.split(/[\s,]+/).filter((s) => s !== ''),
        audience: opt(f.audience),
      };
      break;
    case 'basic':
      out.username = opt(f.username);
      break;
    case 'totp':
      out.issuer = opt(f.issuer);
      out.username = opt(f.username);
      out.otp =
        f.otp_type === 'steam'
          ? { type: 'steam', algorithm: 'SHA1', digits: 5, period: 30 }
          : {
              type: f.otp_type,
              algorithm: f.algorithm,
              digits: Number(f.digits),
              period: f.otp_type === 'hotp' ? 30 : Number(f.period),
            };
      break;
    case 'bearer':
      break;
  }
  return out;
}

function secretValue(f: FormValues): string {
  // An otpauth:// link goes to Rust as typed: the core's parser reads its seed.
  if (f.kind !== 'totp') return f.value;
  return isOtpLink(f.value) ? f.value.trim() : normaliseBase32(f.value);
}

export function toInput(f: FormValues): ItemInput {
  const item: ItemInput = { kind: f.kind, ...common(f), value: secretValue(f) };
  // A blank field means "no reminder", as the hint says (the core's rule too).
  item.rotate_every_days ??= 0;
  if (f.notes !== '') item.notes = f.notes;
  if (f.kind === 'totp' && f.otp_type === 'hotp') item.counter = Number(f.counter.trim());
  if (f.kind === 'oauth2') {
    if (f.access_token.trim() !== '') item.access_token = f.access_token.trim();
    if (f.refresh_token.trim() !== '') item.refresh_token = f.refresh_token.trim();
  }
  return item;
}

/** Blank secret inputs are sent as `null`: keep what is stored. `clearNotes` sends ""
 * (the stored notes become empty). ItemEdit is the whole item, so what the form does not
 * show (a username the CLI set on an API key, the OAuth token expiries) is carried over
 * from `original`. */
export function toEdit(f: FormValues, clearNotes = false, original?: ItemDetail): ItemEdit {
  const item: ItemEdit = { ...common(f) };
  if (original) {
    if (item.username === undefined) item.username = original.username;
    if (item.issuer === undefined) item.issuer = original.issuer;
    if (item.oauth && original.oauth) {
      item.oauth = {
        ...item.oauth,
        access_expires_at: original.oauth.access_expires_at ?? null,
        refresh_expires_at: original.oauth.refresh_expires_at ?? null,
      };
    }
  }
  // An expiry the user did not touch keeps its exact time (the CLI may have set
  // 2026-12-05T12:00:00Z, which the form shows as 2026-12-05).
  if (original && f.expires_at.trim() === toDateInput(original.manual_expires_at)) {
    item.expires_at = original.manual_expires_at;
  }
  item.value = f.value === '' ? null : secretValue(f);
  item.notes = clearNotes ? '' : f.notes === '' ? null : f.notes;
  if (f.kind === 'oauth2') {
    item.access_token = f.access_token.trim() === '' ? null : f.access_token.trim();
    item.refresh_token = f.refresh_token.trim() === '' ? null : f.refresh_token.trim();
  }
  return item;
}
