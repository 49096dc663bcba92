// A fake Keywright backend for component tests: answers every IPC command through
// mockIPC (events mocked too), records every call with its arguments.
import { emit } from '@tauri-apps/api/event';
import { mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import type { BackupEntry } from '../bindings/BackupEntry';
import type { BackupStatus } from '../bindings/BackupStatus';
import type { ConflictView } from '../bindings/ConflictView';
import type { DamagedItem } from '../bindings/DamagedItem';
import type { ErrorKind } from '../bindings/ErrorKind';
import type { HistoryEntry } from '../bindings/HistoryEntry';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportRow } from '../bindings/ImportRow';
import type { ImportSource } from '../bindings/ImportSource';
import type { ImportSummary } from '../bindings/ImportSummary';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { ItemSummary } from '../bindings/ItemSummary';
import type { OtpCode } from '../bindings/OtpCode';
import type { OtpType } from '../bindings/OtpType';
import type { RequestInput } from '../bindings/RequestInput';
import type { RequestResult } from '../bindings/RequestResult';
import type { SavedRequest } from '../bindings/SavedRequest';
import type { SecretField } from '../bindings/SecretField';
import type { SettingsView } from '../bindings/SettingsView';
import type { SyncDevice } from '../bindings/SyncDevice';
import type { SyncState } from '../bindings/SyncState';
import type { VaultState } from '../bindings/VaultState';
import type { VaultStatus } from '../bindings/VaultStatus';

export const PATH = '/home/dev/.local/share/keywright/vault.db';
/** The recovery code of the fake's new vault (and the one `vault_recover` accepts). */
export const RECOVERY_CODE = 'ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789';
export const NOW = Math.floor(Date.now() / 1000);
export const DAY = 86400;

/** What a failed command rejects with in the real app: the serialised IpcError. */
export function backendError(kind: ErrorKind, message: string, field: string | null = null): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw { kind, message, field };
}

export interface FakeItem {
  detail: ItemDetail;
  secrets: Partial<Record<SecretField, string>>;
}

let seq = 0;
export function item(
  over: Partial<ItemDetail> & Pick<ItemDetail, 'name'>,
  secrets: Partial<Record<SecretField, string>> = { value: 'sk_test_secret' },
): FakeItem {
  seq += 1;
  const detail: ItemDetail = {
    id: `id-${String(seq)}`,
    kind: 'api_key',
    tags: [],
    url: null,
    username: null,
    issuer: null,
    status: 'ok',
    expires_at: null,
    rotation_due_at: NOW + 60 * DAY,
    snoozed_until: null,
    renewable: over.kind === 'oauth2' && secrets.refresh_token !== undefined,
    updated_at: NOW - 3 * DAY,
    placement: over.kind === undefined || over.kind === 'api_key' ? { in: 'header', name: 'X-API-Key' } : null,
    oauth: null,
    otp: null,
    manual_expires_at: null,
    token_expires_at: null,
    rotate_every_days: 90,
    warn_days: 14,
    created_at: NOW - 30 * DAY,
    last_rotated_at: NOW - 30 * DAY,
    secrets: {
      value: secrets.value !== undefined,
      notes: secrets.notes !== undefined,
      access_token: secrets.access_token !== undefined,
      refresh_token: secrets.refresh_token !== undefined,
    },
    recognized: null,
    previous_versions: [],
    history: [{ at: NOW - 30 * DAY, action: 'add', item_id: '', item_name: over.name, actor: 'app', detail: null }],
    reference: `keywright://${over.name}/${over.kind === 'oauth2' ? 'access_token' : over.kind === 'totp' ? 'code' : 'secret'}`,
    ...over,
  };
  return { detail, secrets };
}

export function summary(d: ItemDetail): ItemSummary {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    tags: d.tags,
    url: d.url,
    username: d.username,
    issuer: d.issuer,
    status: d.status,
    expires_at: d.expires_at,
    rotation_due_at: d.rotation_due_at,
    snoozed_until: d.snoozed_until,
    renewable: d.renewable,
    updated_at: d.updated_at,
  };
}

/** A small vault of five kinds. */
export function sampleItems(): FakeItem[] {
  seq = 0;
  return [
    item(
      { name: 'Stripe production', tags: ['prod', 'payments'], url: 'https://api.stripe.com' },
      { value: 'sk_live_abc123', notes: 'rotate in the dashboard' },
    ),
    item({ name: 'Stripe staging', tags: ['staging', 'payments'], url: 'https://api.stripe.com' }, { value: 'sk_test_zzz' }),
    item(
      { name: 'GitHub deploy token', kind: 'bearer', tags: ['ci'], status: 'expiring', expires_at: NOW + 3 * DAY + 600 },
      { value: 'ghp_token' },
    ),
    item(
      {
        name: 'Auth0 machine client',
        kind: 'oauth2',
        oauth: { client_id: 'm2m-client', issuer: 'https://acme.auth0.com', token_url: null, auth: 'basic', scopes: ['read:users'], audience: null },
        status: 'expired',
        expires_at: NOW - 2 * DAY - 600,
      },
      { value: 'client-secret', refresh_token: 'rt-1' },
    ),
    item({ name: 'Grafana admin', kind: 'basic', username: 'admin', tags: ['prod'] }, { value: 'hunter2' }),
    item(
      {
        name: 'AWS root MFA',
        kind: 'totp',
        issuer: 'Amazon',
        username: 'root@example.com',
        otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
        status: 'rotation_due',
      },
      { value: 'JBSWY3DPEHPK3PXP' },
    ),
  ];
}

/** A 2FA item of the fake: its code alternates between two known values, by the parity
 * of the period's counter (so a test knows the current and the next code). */
export interface FakeOtp {
  id: string;
  name: string;
  issuer: string | null;
  account: string | null;
  tags: string[];
  otp_type: OtpType;
  digits: number;
  period: number;
  /** [code for an even counter, code for an odd one] (TOTP/Steam). */
  codes: [string, string];
  /** HOTP: the next counter. */
  counter: number;
}

export function otp(over: Partial<FakeOtp> & Pick<FakeOtp, 'id' | 'name'>): FakeOtp {
  return {
    issuer: null,
    account: null,
    tags: [],
    otp_type: 'totp',
    digits: 6,
    period: 30,
    codes: ['123456', '654321'],
    counter: 0,
    ...over,
  };
}

/** Four time-based codes (6, 7, 8 digits and Steam) and a HOTP one. */
export function sampleOtp(): FakeOtp[] {
  return [
    otp({ id: 'otp-gh', name: 'GitHub', issuer: 'GitHub', account: 'alice@example.com', tags: ['dev'] }),
    otp({
      id: 'id-6',
      name: 'AWS root MFA',
      issuer: 'Amazon',
      account: 'root@example.com',
      tags: ['prod'],
      digits: 8,
      codes: ['12345678', '87654321'],
    }),
    otp({ id: 'otp-okta', name: 'Okta work', issuer: 'Okta', account: 'bob@corp.example', digits: 7, codes: ['1234567', '7654321'] }),
    otp({ id: 'otp-steam', name: 'Steam', issuer: 'Steam', account: 'gamer42', otp_type: 'steam', digits: 5, codes: ['K7MQX', 'B2C4D'] }),
    otp({ id: 'otp-bank', name: 'Bank token', issuer: 'Bank', otp_type: 'hotp', counter: 4 }),
  ];
}

/** The HOTP code the fake makes for a counter: its digit six times ("444444"). */
export function hotpCodeFor(counter: number): string {
  return String(counter % 10).repeat(6);
}

export function otpCodeAt(o: FakeOtp, now: number): OtpCode {
  const base = {
    id: o.id,
    name: o.name,
    issuer: o.issuer,
    account: o.account,
    tags: o.tags,
    otp_type: o.otp_type,
    digits: o.digits,
    period: o.period,
  };
  if (o.otp_type === 'hotp') {
    return { ...base, code: null, next_code: null, valid_from: 0, valid_until: 0, counter: o.counter };
  }
  const c = Math.floor(now / o.period);
  return {
    ...base,
    code: o.codes[c % 2] ?? '',
    next_code: o.codes[(c + 1) % 2] ?? '',
    valid_from: c * o.period,
    valid_until: (c + 1) * o.period,
    counter: null,
  };
}

/** The password of the fake's encrypted export. */
export const EXPORT_PASSWORD = 'export pw';

/** What the fake's import reads from a source: the text, the file's bytes, or the path. */
export function sourceText(src: ImportSource): string {
  switch (src.kind) {
    case 'text':
      return src.text;
    case 'file':
      return src.path;
    case 'bytes':
      return atob(src.base64);
  }
}

/** Two new entries, a duplicate of GitHub and an invalid one. */
export function samplePreviewRows(): ImportRow[] {
  const row = (r: Partial<ImportRow> & Pick<ImportRow, 'position' | 'status'>): ImportRow => ({
    row: r.position - 1,
    kind: r.status === 'invalid' ? null : 'totp',
    selected: r.status === 'new',
    url: null,
    tags: [],
    requests: 0,
    hint: null,
    label: `line ${String(r.position)}`,
    name: null,
    issuer: null,
    account: null,
    otp_type: 'totp',
    digits: 6,
    period: 30,
    reason: null,
    duplicate_of: null,
    ...r,
  });
  return [
    row({ position: 1, status: 'new', name: 'GitLab', issuer: 'GitLab', account: 'me@example.com' }),
    row({ position: 2, status: 'duplicate', name: 'GitHub 2', issuer: 'GitHub', account: 'alice@example.com', duplicate_of: 'GitHub' }),
    row({ position: 3, status: 'invalid', otp_type: null, digits: null, period: null, reason: 'the secret is not base32' }),
    row({ position: 4, status: 'new', name: 'Dropbox', issuer: 'Dropbox', account: 'me@example.com', otp_type: 'hotp', digits: 8, period: null }),
  ];
}

/** This device's id and host name in the fake (what `sync_setup` uses without a name). */
export const THIS_DEVICE = 'a1b2c3d4e5f60718';
export const HOST_NAME = 'dev-laptop';
export const WORK_DEVICE = 'b7e8f9a0b1c2d3e4';
export const SERVER_DEVICE = 'c9d8e7f6a5b4c3d2';
/** The folder of sampleSync(). */
export const SYNC_DIR = '/home/dev/Sync/keywright';

/** What `sync_state` starts from: set up through `dir`, or not (`dir` null). */
export interface FakeSync {
  dir: string | null;
  device_name?: string;
  devices?: SyncDevice[];
  last_sync?: number | null;
  pending?: number;
  error?: string | null;
  refused?: string[];
}

/** A vault syncing through SYNC_DIR with three devices: this one (synced 2 minutes ago), a
 * work desktop (seen 5 minutes ago) and a home server (2 days ago). */
export function sampleSync(over: Partial<FakeSync> = {}): FakeSync {
  // The time of the call, not of the module's load: "2 minutes ago" stays true in a long file.
  const now = Math.floor(Date.now() / 1000);
  return {
    dir: SYNC_DIR,
    device_name: HOST_NAME,
    devices: [
      { id: THIS_DEVICE, name: HOST_NAME, last_seen: now - 120, this_device: true, removed: false },
      { id: WORK_DEVICE, name: 'work-desktop', last_seen: now - 300, this_device: false, removed: false },
      { id: SERVER_DEVICE, name: 'home-server', last_seen: now - 2 * DAY, this_device: false, removed: false },
    ],
    last_sync: now - 120,
    pending: 0,
    error: null,
    refused: [],
    ...over,
  };
}

/** Two items of sampleItems() with a conflict: "Stripe production" (id-1) changed here and
 * on the work desktop (its secret and notes differ), "Grafana admin" (id-5) changed on the
 * work desktop and deleted on the home server. */
export function sampleConflicts(): ConflictView[] {
  const now = Math.floor(Date.now() / 1000);
  return [
    {
      item_id: 'id-1',
      name: 'Stripe production',
      versions: [
        { id: 'v-1-here', device_id: THIS_DEVICE, device_name: HOST_NAME, at: now - 3600, kept: true, deleted: false, name: 'Stripe production', differs: [] },
        { id: 'v-1-work', device_id: WORK_DEVICE, device_name: 'work-desktop', at: now - 3000, kept: false, deleted: false, name: 'Stripe production', differs: ['secret', 'notes'] },
      ],
    },
    {
      item_id: 'id-5',
      name: 'Grafana admin',
      versions: [
        { id: 'v-5-work', device_id: WORK_DEVICE, device_name: 'work-desktop', at: now - 2 * DAY, kept: true, deleted: false, name: 'Grafana admin', differs: [] },
        { id: 'v-5-server', device_id: SERVER_DEVICE, device_name: 'home-server', at: now - 2 * DAY - 600, kept: false, deleted: true, name: null, differs: ['deleted'] },
      ],
    },
  ];
}

export interface Options {
  state?: VaultState;
  items?: FakeItem[];
  password?: string;
  hasKeyring?: boolean;
  damaged?: DamagedItem[];
  /** The list's vault-wide warnings (`items_list`). */
  warnings?: string[];
  settings?: Partial<SettingsView>;
  /** The 2FA items (`otp_codes`); default sampleOtp(). */
  otp?: FakeOtp[];
  /** The rows of every import preview; default samplePreviewRows(). */
  previewRows?: ImportRow[];
  /** Replace the answer to one command. */
  on?: Record<string, (args: Record<string, unknown>) => unknown>;
  /** What the Trash holds at the start (`trash_list`), with the time each was deleted. */
  trash?: { item: FakeItem; deleted_at: number }[];
  /** Rows of the Trash that failed their integrity check. */
  trashDamaged?: DamagedItem[];
  /** Backups: automatic on/off and the folder (null: the default), the snapshots there. */
  backup?: { auto: boolean; folder: string | null; snapshots?: BackupEntry[]; last_error?: string | null };
  /** Sync: off by default; sampleSync() for a vault syncing with three devices. */
  sync?: FakeSync;
  /** Items with a conflict (`conflicts_list`); none by default, sampleConflicts(). */
  conflicts?: ConflictView[];
}

/** The default backup folder of the fake vault. */
export const BACKUP_DEFAULT = '/home/dev/.local/share/keywright/backups';

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

export function fakeBackend(opts: Options = {}) {
  let state: VaultState = opts.state ?? 'unlocked';
  let password = opts.password ?? 'right password';
  const items = new Map<string, FakeItem>();
  for (const i of opts.items ?? sampleItems()) items.set(i.detail.id, i);
  /** The Trash: deleted items with the time they were deleted. */
  const trash = new Map<string, { item: FakeItem; deleted_at: number }>();
  for (const t of opts.trash ?? []) trash.set(t.item.detail.id, t);
  let settings: SettingsView = {
    auto_lock_minutes: 10,
    clipboard_clear_seconds: 30,
    keyring_enabled: opts.hasKeyring ?? false,
    path: PATH,
    ...opts.settings,
  };
  let backupCfg = { auto: opts.backup?.auto ?? false, folder: opts.backup?.folder ?? null };
  const snapshots: BackupEntry[] = [...(opts.backup?.snapshots ?? [])];
  const backupFolder = () => backupCfg.folder ?? BACKUP_DEFAULT;
  const snapshotNow = (): BackupEntry => {
    const at = Math.floor(Date.now() / 1000) + snapshots.length;
    const b: BackupEntry = {
      path: `${backupFolder()}/keywright-1a2b3c4d-${String(at)}.kwbak.db`,
      taken_at: at,
      size: 48 * 1024 + items.size * 1024,
      items: items.size,
      complete: true,
      problem: null,
    };
    snapshots.unshift(b);
    return b;
  };
  const backupStatus = (): BackupStatus => {
    const here = snapshots.filter((b) => b.path.startsWith(`${backupFolder()}/`));
    const complete = here.filter((b) => b.complete);
    return {
      auto: backupCfg.auto,
      folder: backupFolder(),
      default_folder: backupCfg.folder === null,
      last: complete[0] ?? null,
      count: complete.length,
      last_error: opts.backup?.last_error ?? null,
    };
  };
  // Sync: the folder (null: off), this device and the others, the conflicts.
  const syncCfg = opts.sync ?? { dir: null };
  let sync = {
    dir: syncCfg.dir,
    device_name: syncCfg.device_name ?? HOST_NAME,
    devices: structuredClone(syncCfg.devices ?? []),
    last_sync: syncCfg.last_sync ?? null,
    pending: syncCfg.pending ?? 0,
    error: syncCfg.error ?? null,
    refused: [...(syncCfg.refused ?? [])],
  };
  let conflicts: ConflictView[] = structuredClone(opts.conflicts ?? []);
  const syncState = (): SyncState => {
    if (state !== 'unlocked') backendError(state === 'none' ? 'no_vault' : 'locked', 'the vault is locked');
    return structuredClone({
      enabled: sync.dir !== null,
      dir: sync.dir,
      device_id: THIS_DEVICE,
      device_name: sync.device_name,
      devices: sync.devices,
      last_sync: sync.last_sync,
      pending: sync.pending,
      conflicts: conflicts.length,
      error: sync.error,
      refused: sync.refused,
    });
  };
  const syncPass = () => {
    const now = Math.floor(Date.now() / 1000);
    sync = {
      ...sync,
      last_sync: now,
      pending: 0,
      error: null,
      refused: [],
      devices: sync.devices.map((d) => (d.this_device ? { ...d, last_seen: now } : d)),
    };
  };
  const calls: Call[] = [];
  const status = (): VaultStatus => ({
    state,
    path: PATH,
    item_count: state === 'unlocked' ? items.size : null,
    has_keyring: opts.hasKeyring ?? false,
  });
  const find = (id: unknown): FakeItem => items.get(String(id)) ?? backendError('not_found', 'no such item');
  const otps = new Map<string, FakeOtp>();
  for (const o of opts.otp ?? sampleOtp()) otps.set(o.id, o);
  const findOtp = (id: unknown): FakeOtp => otps.get(String(id)) ?? backendError('not_found', 'no such item');
  const previews = new Map<string, ImportPreview>();
  let previewSeq = 0;
  const clearAfter = () => (settings.clipboard_clear_seconds === 0 ? null : settings.clipboard_clear_seconds);
  const sorted = () => [...items.values()].sort((a, b) => a.detail.name.localeCompare(b.detail.name));
  // Test requests by URL: /status/429 is rate limited (Retry-After 3), /status/401 rejects
  // the key, /expired is an expired token until the item is renewed, *.invalid has no DNS,
  // anything else is 200 with the request echoed (the credential as [redacted]).
  const history = new Map<string, HistoryEntry[]>();
  const savedRequests = new Map<string, SavedRequest[]>();
  const renewed = new Set<string>();
  const previous = new Map<string, string>();
  const sent: { item_id: string; entry: HistoryEntry }[] = [];
  let savedSeq = 0;
  const sendRequest = (a: Record<string, unknown>): RequestResult => {
    const it = find(a.id);
    const req = a.request as RequestInput;
    if (!/^https?:\/\/\S+$/.test(req.url)) backendError('invalid_input', `${JSON.stringify(req.url)} is not a full URL. Start it with https://.`, 'URL');
    if (req.body.kind === 'json') {
      try {
        JSON.parse(req.body.text);
      } catch {
        backendError('invalid_input', 'The JSON body does not parse: it ends too early (a closing }, ] or " is missing) at line 1, column 1. Fix it, or choose Raw to send it as it is.', 'body');
      }
    }
    const now = Math.floor(Date.now() / 1000);
    const base = {
      reason: null as string | null,
      ttfb_ms: 12,
      total_ms: 15,
      headers: [['content-type', 'application/json']] as [string, string][],
      body: '',
      body_view: 'empty' as RequestResult['body_view'],
      body_bytes: 0,
      truncated: false,
      content_type: 'application/json',
      final_url: req.url.split('?')[0] ?? req.url,
      remote_addr: '127.0.0.1:8080',
      redirects: 0,
      renewed: false,
      grant: null as string | null,
      redacted: 0,
      at: now,
    };
    let r: RequestResult;
    if (req.url.includes('/status/429')) {
      r = { ...base, status: 429, reason: 'Too Many Requests', diagnosis: { kind: 'rate_limited', message: 'rate limited: the server asks to wait 3 s (Retry-After)', action: 'wait_and_retry', retry_after_s: 3 } };
    } else if (req.url.includes('/status/401')) {
      r = { ...base, status: 401, reason: 'Unauthorized', diagnosis: { kind: 'invalid_credentials', message: 'the server rejected the key (401); check the key; was it rotated or revoked?', action: 'edit_key', retry_after_s: null } };
    } else if (req.url.includes('/expired') && !renewed.has(it.detail.id)) {
      r = { ...base, status: 401, reason: 'Unauthorized', diagnosis: { kind: 'expired_token', message: 'the token expired 2 min ago (the server says invalid_token)', action: 'renew_and_retry', retry_after_s: null } };
    } else if (req.url.includes('.invalid')) {
      r = { ...base, status: null, headers: [], final_url: null, remote_addr: null, content_type: null, diagnosis: { kind: 'dns_error', message: 'nowhere.invalid does not resolve (DNS): check the host name', action: 'retry', retry_after_s: null } };
    } else {
      const echo = JSON.stringify({ method: req.method, url: req.url, headers: Object.fromEntries([...req.headers, ['X-Api-Key', '[redacted]']]) }, null, 2);
      r = { ...base, status: 200, reason: 'OK', body: echo, body_view: 'json', body_bytes: echo.length, redacted: 1, diagnosis: { kind: 'ok', message: 'the request succeeded (200 OK)', action: null, retry_after_s: null } };
    }
    const list = history.get(it.detail.id) ?? [];
    list.unshift({
      at: now,
      method: req.method,
      url: req.url,
      headers: [...req.headers, ['X-API-Key', '[redacted]']],
      body_bytes: req.body.kind === 'none' ? 0 : 10,
      status: r.status,
      diagnosis: r.diagnosis.kind,
      message: r.diagnosis.message,
      total_ms: r.total_ms,
      renewed: r.renewed,
      credential_header: 'X-API-Key',
      credential_query: null,
    });
    history.set(it.detail.id, list);
    if (list[0]) sent.unshift({ item_id: it.detail.id, entry: list[0] });
    return r;
  };

  const commands: Record<string, (a: Record<string, unknown>) => unknown> = {
    vault_status: () => status(),
    vault_create: () => {
      state = 'unlocked';
      items.clear();
      return { status: status(), recovery_code: RECOVERY_CODE, keyring_enabled: true, keyring_notice: null };
    },
    vault_unlock: (a) => {
      if (a.password !== password) {
        backendError('wrong_password', 'wrong password (the vault was not changed)');
      }
      state = 'unlocked';
      return status();
    },
    // The recovery code of vault_create; any case, dashes or spaces.
    vault_recover: (a) => {
      const code = String(a.recovery_code).replace(/[\s-]/g, '').toUpperCase();
      if (code !== RECOVERY_CODE.replace(/-/g, '')) {
        backendError(
          'wrong_recovery_code',
          'That recovery code does not open this vault. Check it against the one you saved.',
          'recovery_code',
        );
      }
      if (String(a.new_password).length < 8) {
        backendError('invalid_input', 'Use at least 8 characters for the new password.', 'new_password');
      }
      password = String(a.new_password);
      state = 'unlocked';
      return status();
    },
    recovery_copy: () => ({ clear_after_s: clearAfter() }),
    recovery_save: () => ({ path: '/home/dev/Documents/keywright-recovery-2026-05-01.txt' }),
    recovery_forget: () => null,
    vault_unlock_keyring: () => {
      state = 'unlocked';
      return status();
    },
    vault_lock: () => {
      state = 'locked';
      return status();
    },
    app_activity: () => null,
    items_list: () => ({
      items: sorted().map((i) => summary(i.detail)),
      damaged: opts.damaged ?? [],
      warnings: opts.warnings ?? [],
    }),
    item_get: (a) => find(a.id).detail,
    item_reveal: (a) => {
      const v = find(a.id).secrets[a.field as SecretField];
      return v ?? backendError('not_found', 'no such field');
    },
    item_copy: () => ({ clear_after_s: settings.clipboard_clear_seconds === 0 ? null : settings.clipboard_clear_seconds }),
    item_copy_main: (a) => {
      const d = find(a.id).detail;
      const what = d.kind === 'totp' ? '2FA code' : d.kind === 'api_key' ? 'API key' : 'password';
      return { clear_after_s: settings.clipboard_clear_seconds === 0 ? null : settings.clipboard_clear_seconds, what };
    },
    item_copy_plain: (a) => {
      const d = find(a.id).detail;
      const v =
        a.field === 'username'
          ? d.username
          : a.field === 'url'
            ? d.url
            : a.field === 'client_id'
              ? (d.oauth?.client_id ?? null)
              : a.field === 'reference'
                ? d.reference
                : null;
      if (v === null) backendError('not_found', `This item has no ${String(a.field)}.`);
      return { clear_after_s: clearAfter() };
    },
    item_add: (a) => {
      const input = a.item as { name: string; kind: ItemDetail['kind'] };
      const created = item({ name: input.name, kind: input.kind });
      items.set(created.detail.id, created);
      return created.detail;
    },
    item_update: (a) => {
      const it = find(a.id);
      const edit = a.item as { name: string };
      it.detail = { ...it.detail, name: edit.name };
      return it.detail;
    },
    // Rotation (h4): the old value is kept as `previous` for the grace period.
    item_rotate: (a) => {
      const it = find(a.id);
      const value = String(a.value);
      if (value.trim() === '') backendError('invalid_input', 'invalid value: the new value is empty: enter the new secret the service gave you', 'value');
      if (value === it.secrets.value) {
        backendError('invalid_input', `invalid value: the new value is the same as the current value of ${JSON.stringify(it.detail.name)}: enter the new secret the service gave you`, 'value');
      }
      const now = Math.floor(Date.now() / 1000);
      const grace = Number(a.grace_days);
      if (grace > 0 && it.secrets.value !== undefined) {
        previous.set(it.detail.id, it.secrets.value);
        it.detail = { ...it.detail, previous_versions: [{ id: `v-${it.detail.id}`, created_at: now, purge_at: now + grace * DAY }] };
      } else {
        it.detail = { ...it.detail, previous_versions: [] };
      }
      it.secrets = { ...it.secrets, value };
      const due = it.detail.rotate_every_days === null ? null : now + it.detail.rotate_every_days * DAY;
      const status = it.detail.status === 'rotation_due' ? 'ok' : it.detail.status;
      it.detail = { ...it.detail, last_rotated_at: now, rotation_due_at: due, status, snoozed_until: null };
      return it.detail;
    },
    item_snooze: (a) => {
      const it = find(a.id);
      if (it.detail.status === 'expired') backendError('invalid_input', `invalid snooze: ${JSON.stringify(it.detail.name)} has expired, and a snooze does not change that: rotate or renew it`, 'snooze');
      const until = Math.floor(Date.now() / 1000) + Number(a.days) * DAY;
      const status = it.detail.status === 'rotation_due' || it.detail.status === 'expiring' ? 'ok' : it.detail.status;
      it.detail = { ...it.detail, snoozed_until: until, status };
      return it.detail;
    },
    item_previous_reveal: (a) => previous.get(String(a.id)) ?? backendError('invalid_input', 'has no previous version', 'previous'),
    item_previous_copy: (a) => {
      if (!previous.has(String(a.id))) backendError('invalid_input', 'has no previous version', 'previous');
      return { clear_after_s: clearAfter() };
    },
    item_delete: (a) => {
      const it = find(a.id);
      items.delete(String(a.id));
      const at = Math.floor(Date.now() / 1000);
      trash.set(it.detail.id, { item: it, deleted_at: at });
      return { id: it.detail.id, name: it.detail.name, in_trash: true, deleted_at: at, purge_at: at + 30 * DAY };
    },
    trash_list: () => ({
      items: [...trash.values()]
        .sort((a, b) => b.deleted_at - a.deleted_at)
        .map(({ item: it, deleted_at }) => {
          const purge_at = deleted_at + 30 * DAY;
          const d = it.detail;
          return {
            id: d.id,
            name: d.name,
            kind: d.kind,
            tags: d.tags,
            url: d.url,
            username: d.username,
            issuer: d.issuer,
            deleted_at,
            purge_at,
            days_left: Math.max(0, Math.ceil((purge_at - Math.floor(Date.now() / 1000)) / DAY)),
          };
        }),
      damaged: opts.trashDamaged ?? [],
      keep_days: 30,
    }),
    item_restore: (a) => {
      const t = trash.get(String(a.id)) ?? backendError('not_found', `nothing named ${JSON.stringify(a.id)} is in the Trash`);
      const name = typeof a.name === 'string' && a.name.trim() !== '' ? a.name.trim() : t.item.detail.name;
      if ([...items.values()].some((i) => i.detail.name.toLowerCase() === name.toLowerCase())) {
        backendError('duplicate_name', `cannot restore ${JSON.stringify(name)}: another item has that name now`, 'name');
      }
      trash.delete(String(a.id));
      t.item.detail = { ...t.item.detail, name };
      items.set(t.item.detail.id, t.item);
      return t.item.detail;
    },
    item_purge: (a) => {
      if (!trash.delete(String(a.id)) && !(opts.trashDamaged ?? []).some((d) => d.id === a.id)) {
        backendError('not_found', `nothing named ${JSON.stringify(a.id)} is in the Trash`);
      }
      return null;
    },
    trash_empty: () => {
      const n = trash.size;
      trash.clear();
      return n;
    },
    settings_get: () => settings,
    app_about: () => ({ version: '0.1.0', commit: 'abc123def456' }),
    settings_set: (a) => {
      settings = { ...settings, ...(a.settings as object) };
      return settings;
    },
    keyring_set: (a) => ({ enabled: a.enabled, notice: null }),
    backup_status: () => backupStatus(),
    backup_now: () => snapshotNow(),
    backup_set: (a) => {
      const f = typeof a.folder === 'string' && a.folder.trim() !== '' ? a.folder.trim() : null;
      if (f !== null && !f.startsWith('/')) {
        backendError('invalid_input', `“${f}” is not a full path. Give the whole path, starting with / (or a drive letter).`, 'folder');
      }
      if (f !== null && f.startsWith('/unwritable')) {
        backendError('io', `Cannot create directory ${f}: Permission denied (os error 13)`, 'folder');
      }
      const turnedOn = a.auto === true && (!backupCfg.auto || backupCfg.folder !== f);
      backupCfg = { auto: a.auto === true, folder: f };
      if (turnedOn) snapshotNow();
      return backupStatus();
    },
    backup_list: (a) => {
      const f = typeof a.folder === 'string' && a.folder !== '' ? a.folder : backupFolder();
      return snapshots.filter((b) => b.path.startsWith(`${f}/`));
    },
    // First run: a full path to a .kwbak.db or .db file restores (the vault is then locked).
    backup_restore: (a) => {
      const snap = String(a.snapshot);
      if (state !== 'none') backendError('vault_exists', `A vault already exists at ${PATH}; refusing to overwrite it`);
      if (!snap.startsWith('/')) {
        backendError('invalid_input', `“${snap}” is not a full path. Give the whole path, starting with / (or a drive letter).`, 'snapshot');
      }
      if (!snap.endsWith('.db')) {
        backendError(
          'corrupt',
          `The vault file is damaged or is not a Keywright vault: ${snap} is not a usable Keywright backup: it is not a SQLite database; choose another snapshot`,
          'snapshot',
        );
      }
      state = 'locked';
      return status();
    },
    vault_change_password: () => null,
    sync_state: () => syncState(),
    sync_now: () => {
      if (sync.dir === null) backendError('sync', 'this vault does not sync: choose a folder in Settings → Sync first');
      syncPass();
      return syncState();
    },
    // A relative folder is refused on the field, like the app's command; /unwritable… is a
    // folder that cannot be created.
    sync_setup: (a) => {
      const dir = String(a.dir).trim();
      if (dir === '' || !dir.startsWith('/')) {
        backendError('invalid_input', `“${dir}” is not a full path. Give the whole path of the folder your sync tool shares, starting with /.`, 'folder');
      }
      if (dir.startsWith('/unwritable')) {
        backendError('io', `Cannot create directory ${dir}: Permission denied (os error 13)`, 'folder');
      }
      const name = typeof a.name === 'string' && a.name.trim() !== '' ? a.name.trim() : HOST_NAME;
      sync = { ...sync, dir, device_name: name, devices: [{ id: THIS_DEVICE, name, last_seen: null, this_device: true, removed: false }] };
      syncPass();
      return syncState();
    },
    // First run on a new device: a folder with a vault in it is /sync/… (anything else holds
    // none); the vault's password is the backend's password.
    sync_join: (a) => {
      const dir = String(a.dir).trim();
      if (state !== 'none') backendError('vault_exists', `A vault already exists at ${PATH}; refusing to overwrite it`);
      if (dir === '' || !dir.startsWith('/')) {
        backendError('invalid_input', `“${dir}” is not a full path. Give the whole path of the folder your sync tool shares, starting with /.`, 'folder');
      }
      if (!dir.startsWith('/sync')) {
        backendError('sync', `${dir} holds no Keywright vault yet: run \`keywright sync init ${dir}\` on a device that has the vault, and wait for the sync tool to bring its files here`, 'folder');
      }
      if (a.password !== password) backendError('wrong_password', 'Wrong password', 'password');
      const name = typeof a.name === 'string' && a.name.trim() !== '' ? a.name.trim() : HOST_NAME;
      sync = { ...sync, dir, device_name: name, devices: [{ id: THIS_DEVICE, name, last_seen: null, this_device: true, removed: false }] };
      state = 'unlocked';
      syncPass();
      return status();
    },
    sync_remove_device: (a) => {
      const id = String(a.id);
      const d = sync.devices.find((x) => x.id.startsWith(id) && id !== '');
      if (!d) backendError('invalid_input', `no device of this vault's sync has an id starting ${JSON.stringify(id)}`, 'device');
      if (d.this_device) backendError('invalid_input', 'invalid device: is this device; remove it from another device', 'device');
      sync = { ...sync, devices: sync.devices.map((x) => (x.id === d.id ? { ...x, removed: true } : x)) };
      syncPass();
      return syncState();
    },
    conflicts_list: () => {
      if (state !== 'unlocked') backendError('locked', 'the vault is locked');
      return structuredClone(conflicts);
    },
    // Keeping a version that deletes the item moves it to the Trash; one that renames it
    // renames it.
    conflict_keep: (a) => {
      const c = conflicts.find((x) => x.item_id === a.item_id) ?? backendError('not_found', 'this item has no conflict (any more)');
      const v = c.versions.find((x) => x.id === a.version_id) ?? backendError('not_found', 'no such version of this item');
      conflicts = conflicts.filter((x) => x !== c);
      const it = items.get(c.item_id);
      const now = Math.floor(Date.now() / 1000);
      if (it && v.deleted) {
        items.delete(c.item_id);
        trash.set(c.item_id, { item: it, deleted_at: now });
      } else if (it && !v.kept) {
        it.detail = { ...it.detail, name: v.name ?? it.detail.name, updated_at: now };
      }
      if (sync.dir !== null) syncPass();
      return structuredClone(conflicts);
    },
    otp_codes: () => {
      const now = Math.floor(Date.now() / 1000);
      return { now, codes: [...otps.values()].map((o) => otpCodeAt(o, now)), damaged: 0 };
    },
    otp_code: (a) => {
      const now = Math.floor(Date.now() / 1000);
      return { now, codes: [otpCodeAt(findOtp(a.id), now)], damaged: 0 };
    },
    otp_copy: (a) => {
      const o = findOtp(a.id);
      if (o.otp_type === 'hotp') backendError('invalid_input', 'a HOTP code is made on request: use hotp_next');
      return { clear_after_s: clearAfter() };
    },
    // A stand-in for the core's parser (otp/uri.rs), enough for the form's tests.
    otp_link_read: (a) => {
      const link = String(a.link);
      const bad = (why: string): never => backendError('invalid_input', `This otpauth:// link ${why}.`, 'value');
      const m = /^otpauth:\/\/([a-z]+)\/([^?]*)\??(.*)$/i.exec(link.trim());
      if (!m) backendError('invalid_input', 'The text does not start with otpauth://. Paste the whole link, or the base32 secret alone.', 'value');
      const type = m[1] ?? '';
      const label = m[2] ?? '';
      const query = m[3] ?? '';
      const t = type.toLowerCase();
      if (t !== 'totp' && t !== 'hotp' && t !== 'steam') bad(`has an unknown type "${type}"; use totp, hotp or steam`);
      const q = new URLSearchParams(query);
      if (!q.get('secret')) bad('has no secret= parameter');
      const digits = Number(q.get('digits') ?? '6');
      if (![6, 7, 8].includes(digits)) bad(`is not usable: digits must be 6, 7 or 8`);
      const decoded = decodeURIComponent(label);
      const cut = decoded.indexOf(':');
      const li = cut >= 0 ? decoded.slice(0, cut) : null;
      const acc = cut >= 0 ? decoded.slice(cut + 1) : decoded;
      return {
        issuer: q.get('issuer') ?? li ?? null,
        account: acc.trim() === '' ? null : acc.trim(),
        otp: {
          type: t,
          algorithm: q.get('algorithm') ?? 'SHA1',
          digits,
          period: Number(q.get('period') ?? '30'),
        },
        counter: t === 'hotp' ? Number(q.get('counter') ?? '0') : 0,
      };
    },
    hotp_next: (a) => {
      const o = findOtp(a.id);
      if (o.otp_type !== 'hotp') backendError('invalid_input', 'not a HOTP item');
      const counter = o.counter;
      o.counter += 1;
      return { code: hotpCodeFor(counter), counter, copied: a.copy === true ? { clear_after_s: clearAfter() } : null };
    },
    // Sources whose content says ENCRYPTED need EXPORT_PASSWORD; GARBAGE fails to parse.
    import_preview: (a) => {
      const text = sourceText(a.source as ImportSource);
      if (text.includes('GARBAGE')) {
        backendError('import_failed', 'cannot import this file as Aegis: not JSON (nothing was imported)');
      }
      if (text.includes('ENCRYPTED')) {
        if (a.password === null || a.password === undefined) {
          backendError('import_password_needed', 'this Aegis export is encrypted; give its password (nothing was imported)');
        }
        if (a.password !== EXPORT_PASSWORD) {
          backendError('wrong_import_password', 'wrong password for this Aegis export, or the file is damaged (nothing was imported)');
        }
      }
      const rows = opts.previewRows ?? samplePreviewRows();
      previewSeq += 1;
      const preview: ImportPreview = {
        id: `preview-${String(previewSeq)}`,
        format: (a.format as ImportPreview['format'] | null) ?? (text.startsWith('otpauth') ? 'otpauth' : 'aegis'),
        rows,
        new_count: rows.filter((r) => r.status === 'new').length,
        duplicate_count: rows.filter((r) => r.status === 'duplicate').length,
        invalid_count: rows.filter((r) => r.status === 'invalid').length,
      };
      previews.set(preview.id, preview);
      return preview;
    },
    import_commit: (a): ImportSummary => {
      const p = previews.get(String(a.id)) ?? backendError('not_found', 'this import preview has expired');
      previews.delete(p.id);
      const added: string[] = [];
      const chosen = Array.isArray(a.rows) ? new Set(a.rows as number[]) : null;
      for (const r of p.rows) {
        if (r.status !== 'new' || r.name === null) continue;
        if (chosen !== null ? !chosen.has(r.row) : !r.selected) continue;
        added.push(r.name);
        if (r.kind !== null && r.kind !== 'totp') {
          const created = item({ name: r.name, kind: r.kind, tags: r.tags, url: r.url });
          items.set(created.detail.id, created);
          continue;
        }
        const o = otp({
          id: `imported-${String(otps.size + 1)}`,
          name: r.name,
          issuer: r.issuer,
          account: r.account,
          otp_type: r.otp_type ?? 'totp',
          digits: r.digits ?? 6,
          counter: 1,
        });
        otps.set(o.id, o);
      }
      return {
        added,
        skipped_duplicates: p.duplicate_count,
        skipped_invalid: p.invalid_count,
        skipped_unselected: p.new_count - added.length,
      };
    },
    import_cancel: (a) => {
      previews.delete(String(a.id));
      return null;
    },
    // Tokens: an item whose secret is 'not-a-jwt' is opaque; a renewal of an item whose
    // client secret is 'wrong' fails with invalid_client; logins succeed.
    token_inspect: (a) => {
      const it = find(a.id);
      const field = a.field as SecretField;
      const v = it.secrets[field];
      if (v === undefined) backendError('not_found', 'no token is stored yet');
      if (v === 'not-a-jwt') {
        backendError('malformed_token', 'not a readable JWT: a JWT has 3 segments separated by \'.\', this has 1');
      }
      const now = Math.floor(Date.now() / 1000);
      return {
        field,
        header: { alg: 'RS256', typ: 'at+jwt', kid: 'k1' },
        claims: { iss: 'https://acme.auth0.com/', sub: 'm2m-client', aud: 'https://api.acme.example', scope: 'read:users', exp: now + 3725, iat: now - 75 },
        expires_at: now + 3725,
        not_before: null,
        issued_at: now - 75,
        now,
      };
    },
    oauth_renew: (a) => {
      const it = find(a.id);
      if (it.secrets.value === 'wrong') {
        backendError('oauth', 'the authorization server said invalid_client (client authentication failed); check the client ID and the client secret');
      }
      if (it.detail.status === 'reauth_required') {
        backendError('reauth_required', `${it.detail.name}: the server no longer accepts its refresh token; log in again`);
      }
      const now = Math.floor(Date.now() / 1000);
      renewed.add(it.detail.id);
      it.secrets.access_token = 'eyJ.renewed.token';
      it.detail = {
        ...it.detail,
        status: 'ok',
        expires_at: null,
        secrets: { ...it.detail.secrets, access_token: true },
        oauth: it.detail.oauth ? { ...it.detail.oauth, access_expires_at: now + 3600 } : null,
      };
      return { renewed: true, grant: it.secrets.refresh_token !== undefined ? 'refresh_token' : 'client_credentials', expires_at: now + 3600, status: 'ok' };
    },
    oauth_login: async (a) => {
      const it = find(a.id);
      const now = Math.floor(Date.now() / 1000);
      if (a.method === 'device') {
        await emit('oauth-device-code', {
          item_id: it.detail.id,
          user_code: 'WDJB-MJHT',
          verification_uri: 'https://acme.auth0.com/activate',
          verification_uri_complete: null,
          expires_at: now + 600,
        });
        await new Promise((r) => setTimeout(r, 50));
      }
      it.secrets.refresh_token = 'rt-new';
      it.secrets.access_token = 'eyJ.login.token';
      it.detail = { ...it.detail, status: 'ok', secrets: { ...it.detail.secrets, access_token: true, refresh_token: true } };
      return { renewed: true, grant: a.method === 'device' ? 'device_code' : 'authorization_code', expires_at: now + 3600, status: 'ok' };
    },
    oauth_login_cancel: () => null,
    request_send: (a) => sendRequest(a),
    request_cancel: () => null,
    request_history: (a) => history.get(find(a.id).detail.id) ?? [],
    request_recent: (a) => sent.slice(0, Number(a.limit)),
    request_saved: (a) => [...(savedRequests.get(find(a.id).detail.id) ?? [])].sort((x, y) => x.name.localeCompare(y.name)),
    request_save: (a) => {
      const id = find(a.id).detail.id;
      const name = String(a.name).trim();
      if (name === '') backendError('invalid_input', 'invalid name: a saved request needs a name', 'name');
      const list = savedRequests.get(id) ?? [];
      const same = list.find((x) => x.name.toLowerCase() === name.toLowerCase());
      savedSeq += 1;
      const s: SavedRequest = { id: same?.id ?? `saved-${String(savedSeq)}`, name, request: a.request as RequestInput, updated_at: Math.floor(Date.now() / 1000) };
      savedRequests.set(id, [...list.filter((x) => x.id !== s.id), s]);
      return s;
    },
    request_saved_delete: (a) => {
      const id = find(a.id).detail.id;
      const list = savedRequests.get(id) ?? [];
      if (!list.some((x) => x.id === a.saved_id)) backendError('invalid_input', 'invalid saved request: there is no such saved request', 'saved request');
      savedRequests.set(id, list.filter((x) => x.id !== a.saved_id));
      return null;
    },
    request_from_curl: (a) => {
      const text = String(a.command);
      if (!text.trim().startsWith('curl')) backendError('invalid_input', 'invalid curl command: does not start with curl', 'curl command');
      const url = /https?:\/\/\S+/.exec(text)?.[0].replace(/['"]/g, '') ?? '';
      return {
        request: { method: text.includes('-X POST') ? 'POST' : 'GET', url, headers: [['Accept', 'application/json']], body: text.includes('-d') ? { kind: 'json', text: '{"a":1}' } : { kind: 'none' }, timeout_s: null },
        dropped: text.includes('Authorization') ? ["the Authorization header: the item's credential is attached instead"] : [],
      };
    },
  };

  mockWindows('main');
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const handler = opts.on?.[cmd] ?? commands[cmd];
      if (!handler) throw new Error(`unexpected command ${cmd}`);
      return handler(args);
    },
    { shouldMockEvents: true },
  );

  return {
    calls,
    callsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd),
    items,
    trash,
    otps,
    /** Previews Rust still holds (not committed nor cancelled). */
    previews,
    setState: (s: VaultState) => {
      state = s;
    },
    /** What `sync_state` answers now, and the conflicts left. */
    sync: () => syncState(),
    conflicts: () => conflicts,
    /** Another device's change arrived with a conflict (as a background pass would). */
    addConflict: (c: ConflictView) => {
      conflicts = [...conflicts, structuredClone(c)];
    },
    /** The last pass failed (the folder went away, ...). */
    setSyncError: (error: string | null, refused: string[] = []) => {
      sync = { ...sync, error, refused };
    },
    /** The previous value an item's `item_previous_*` answers with. */
    setPrevious: (id: string, value: string) => {
      previous.set(id, value);
    },
  };
}
