// The request console's editor model: what the user is writing (a draft), and how it
// becomes the RequestInput that Rust checks and sends.
import type { DiagnosisKind } from '../bindings/DiagnosisKind';
import type { HistoryEntry } from '../bindings/HistoryEntry';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { RequestInput } from '../bindings/RequestInput';
import type { RequestResult } from '../bindings/RequestResult';

export type BodyMode = 'none' | 'raw' | 'json' | 'form';

export interface Row {
  name: string;
  value: string;
}

export interface Draft {
  method: string;
  url: string;
  headers: Row[];
  bodyMode: BodyMode;
  bodyText: string;
  form: Row[];
  /** Seconds, as typed; empty = the default (30 s). */
  timeout: string;
}

/** What the console remembers of an item while the vault is open (its draft survives an
 * edit of the item, e.g. after "Edit key"). Held by the main view; gone on lock. */
export interface ConsoleMemory {
  draft: Draft;
  result: RequestResult | null;
  /** The saved request the draft came from, for "Save" to default to its name. */
  savedName: string | null;
  /** The request `result` answers (the draft when it was sent). */
  answered?: Draft | null;
  /** Send the draft as soon as the console opens ("Test this key"). */
  sendNow?: boolean;
}

/** The same request: an answer to one is an answer to the other. */
export function sameDraft(a: Draft, b: Draft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export const REDACTED = '[redacted]';

export function emptyDraft(url = ''): Draft {
  return { method: 'GET', url, headers: [], bodyMode: 'none', bodyText: '', form: [], timeout: '' };
}

const filled = (rows: Row[]): [string, string][] =>
  rows.filter((r) => r.name.trim() !== '' || r.value.trim() !== '').map((r) => [r.name, r.value]);

/** The draft as Rust takes it. Blank rows are left out; the body only in its mode. */
export function toInput(d: Draft): RequestInput {
  const t = d.timeout.trim();
  const body: RequestInput['body'] =
    d.bodyMode === 'none'
      ? { kind: 'none' }
      : d.bodyMode === 'form'
        ? { kind: 'form', fields: filled(d.form) }
        : { kind: d.bodyMode, text: d.bodyText };
  return {
    method: d.method,
    url: d.url.trim(),
    headers: filled(d.headers),
    body,
    timeout_s: t === '' ? null : Number.isFinite(Number(t)) ? Math.trunc(Number(t)) : -1,
  };
}

export function fromInput(r: RequestInput): Draft {
  const rows = (pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, value }));
  const d: Draft = {
    ...emptyDraft(r.url),
    method: r.method.toUpperCase(),
    headers: rows(r.headers),
    timeout: r.timeout_s === null ? '' : String(r.timeout_s),
  };
  switch (r.body.kind) {
    case 'none':
      break;
    case 'form':
      d.bodyMode = 'form';
      d.form = rows(r.body.fields);
      break;
    default:
      d.bodyMode = r.body.kind;
      d.bodyText = r.body.text;
  }
  return d;
}

/** A history entry back in the editor: without the credential the item attaches anyway
 * (its header, its query parameter). The body is not kept in history. */
export function fromHistory(e: HistoryEntry): { draft: Draft; notes: string[] } {
  const notes: string[] = [];
  let url = e.url;
  const q = e.credential_query;
  if (q !== null) {
    try {
      const u = new URL(e.url);
      u.searchParams.delete(q);
      url = u.toString();
    } catch {
      // Not a URL the browser reads: keep it as it was stored.
    }
  }
  const cred = e.credential_header?.toLowerCase() ?? null;
  const headers = e.headers
    .filter(([k]) => k.toLowerCase() !== cred)
    .map(([name, value]) => ({ name, value }));
  const draft: Draft = { ...emptyDraft(url), method: e.method, headers };
  const hidden = redactedIn(draft);
  if (hidden.length > 0) {
    notes.push(`${hidden.join(', ')}: the value was redacted in history; type it again.`);
  }
  if (e.body_bytes > 0) {
    notes.push(`The body (${formatBytes(e.body_bytes)}) is not kept in history; save a request to keep its body.`);
  }
  return { draft, notes };
}

/** Where a value that history redacted is still in the draft (it would be sent as is). */
export function redactedIn(d: Draft): string[] {
  const out = d.headers.filter((h) => h.value.includes(REDACTED)).map((h) => h.name || 'a header');
  if (d.url.includes(REDACTED) || d.url.includes(encodeURIComponent(REDACTED))) out.push('the URL');
  return out;
}

/** How the item's credential goes on the request, in words (never the value). */
export function credentialText(d: ItemDetail): string {
  switch (d.kind) {
    case 'api_key':
      if (d.placement === null || d.placement.in === 'bearer') return 'Authorization: Bearer ••••';
      return d.placement.in === 'header' ? `${d.placement.name}: ••••` : `?${d.placement.name}=•••• (query)`;
    case 'bearer':
      return 'Authorization: Bearer ••••';
    case 'basic':
      return `Authorization: Basic ${d.username ?? ''}:••••`;
    case 'oauth2':
      return 'Authorization: Bearer •••• (access token, renewed when due)';
    default:
      return 'none';
  }
}

export const DIAGNOSIS_TITLE: Record<DiagnosisKind, string> = {
  ok: 'OK',
  expired_token: 'Token expired',
  invalid_credentials: 'Credential rejected',
  insufficient_scope: 'Missing scope',
  ip_not_allowed: 'IP address not allowed',
  rate_limited: 'Rate limited',
  client_error: 'Request refused',
  server_error: 'Server error',
  tls_error: 'TLS error',
  dns_error: 'DNS error',
  connection_refused: 'Connection refused',
  timeout: 'Timed out',
  too_many_redirects: 'Too many redirects',
  redirect_refused: 'Redirect not followed',
};

export function tone(kind: DiagnosisKind): 'ok' | 'warn' | 'error' {
  if (kind === 'ok') return 'ok';
  if (
    kind === 'rate_limited' ||
    kind === 'expired_token' ||
    kind === 'server_error' ||
    kind === 'redirect_refused'
  )
    return 'warn';
  return 'error';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${String(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Seconds left before a rate-limited request may go again (0 = now). */
export function retryLeft(r: RequestResult, now: number): number {
  const wait = r.diagnosis.retry_after_s;
  if (wait === null) return 0;
  return Math.max(0, r.at + wait - now);
}
