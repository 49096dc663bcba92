// A fake Keywright backend for component tests: answers every IPC command through
// mockIPC (events mocked too), records every call with its arguments.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { DamagedItem } from '../bindings/DamagedItem';
import type { ErrorKind } from '../bindings/ErrorKind';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { ItemSummary } from '../bindings/ItemSummary';
import type { SecretField } from '../bindings/SecretField';
import type { SettingsView } from '../bindings/SettingsView';
import type { VaultState } from '../bindings/VaultState';
import type { VaultStatus } from '../bindings/VaultStatus';

export const PATH = '/home/dev/.local/share/keywright/vault.db';
export const NOW = Math.floor(Date.now() / 1000);
const DAY = 86400;

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
    updated_at: NOW - 3 * DAY,
    placement: over.kind === undefined || over.kind === 'api_key' ? { in: 'header', name: 'X-API-Key' } : null,
    oauth: null,
    otp: null,
    manual_expires_at: null,
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
    history: [{ at: NOW - 30 * DAY, action: 'add', item_id: '', item_name: over.name, actor: 'app', detail: null }],
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

export interface Options {
  state?: VaultState;
  items?: FakeItem[];
  password?: string;
  hasKeyring?: boolean;
  damaged?: DamagedItem[];
  settings?: Partial<SettingsView>;
  /** Replace the answer to one command. */
  on?: Record<string, (args: Record<string, unknown>) => unknown>;
}

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

export function fakeBackend(opts: Options = {}) {
  let state: VaultState = opts.state ?? 'unlocked';
  const items = new Map<string, FakeItem>();
  for (const i of opts.items ?? sampleItems()) items.set(i.detail.id, i);
  let settings: SettingsView = {
    auto_lock_minutes: 10,
    clipboard_clear_seconds: 30,
    keyring_enabled: opts.hasKeyring ?? false,
    path: PATH,
    ...opts.settings,
  };
  const calls: Call[] = [];
  const status = (): VaultStatus => ({
    state,
    path: PATH,
    item_count: state === 'unlocked' ? items.size : null,
    has_keyring: opts.hasKeyring ?? false,
  });
  const find = (id: unknown): FakeItem => items.get(String(id)) ?? backendError('not_found', 'no such item');
  const sorted = () => [...items.values()].sort((a, b) => a.detail.name.localeCompare(b.detail.name));

  const commands: Record<string, (a: Record<string, unknown>) => unknown> = {
    vault_status: () => status(),
    vault_create: () => {
      state = 'unlocked';
      items.clear();
      return { status: status(), recovery_code: 'ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789', keyring_enabled: true, keyring_notice: null };
    },
    vault_unlock: (a) => {
      if (a.password !== (opts.password ?? 'right password')) {
        backendError('wrong_password', 'wrong password (the vault was not changed)');
      }
      state = 'unlocked';
      return status();
    },
    vault_unlock_keyring: () => {
      state = 'unlocked';
      return status();
    },
    vault_lock: () => {
      state = 'locked';
      return status();
    },
    app_activity: () => null,
    items_list: () => ({ items: sorted().map((i) => summary(i.detail)), damaged: opts.damaged ?? [] }),
    item_get: (a) => find(a.id).detail,
    item_reveal: (a) => {
      const v = find(a.id).secrets[a.field as SecretField];
      return v ?? backendError('not_found', 'no such field');
    },
    item_copy: () => ({ clear_after_s: settings.clipboard_clear_seconds === 0 ? null : settings.clipboard_clear_seconds }),
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
    item_delete: (a) => {
      find(a.id);
      items.delete(String(a.id));
      return null;
    },
    settings_get: () => settings,
    settings_set: (a) => {
      settings = { ...settings, ...(a.settings as object) };
      return settings;
    },
    keyring_set: (a) => ({ enabled: a.enabled, notice: null }),
    vault_change_password: () => null,
  };

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
    setState: (s: VaultState) => {
      state = s;
    },
  };
}
