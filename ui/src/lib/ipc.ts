// The only module that talks to the Rust side (DESIGN.md). Components call these typed
// functions; a failed command rejects with an `IpcError`.
//
// Types come from src/bindings/ (generated from Rust by ts-rs; never edited by hand). The
// wire format is snake_case: fields and command argument names alike.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type { About } from '../bindings/About';
import type { BackupEntry } from '../bindings/BackupEntry';
import type { BackupStatus } from '../bindings/BackupStatus';
import type { BodyInput } from '../bindings/BodyInput';
import type { ConflictVersionView } from '../bindings/ConflictVersionView';
import type { ConflictView } from '../bindings/ConflictView';
import type { Copied } from '../bindings/Copied';
import type { CopiedMain } from '../bindings/CopiedMain';
import type { CurlParsed } from '../bindings/CurlParsed';
import type { Diagnosis } from '../bindings/Diagnosis';
import type { DiagnosisKind } from '../bindings/DiagnosisKind';
import type { FixAction } from '../bindings/FixAction';
import type { HistoryEntry } from '../bindings/HistoryEntry';
import type { CreatedVault } from '../bindings/CreatedVault';
import type { ErrorKind } from '../bindings/ErrorKind';
import type { HotpCode } from '../bindings/HotpCode';
import type { ImportFormat } from '../bindings/ImportFormat';
import type { ImportOptions } from '../bindings/ImportOptions';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportRow } from '../bindings/ImportRow';
import type { ImportSource } from '../bindings/ImportSource';
import type { ImportSummary } from '../bindings/ImportSummary';
import type { IpcError as IpcErrorPayload } from '../bindings/IpcError';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { ItemEdit } from '../bindings/ItemEdit';
import type { ItemInput } from '../bindings/ItemInput';
import type { ItemList } from '../bindings/ItemList';
import type { JwtCheck } from '../bindings/JwtCheck';
import type { JwtKey } from '../bindings/JwtKey';
import type { JwtReport } from '../bindings/JwtReport';
import type { JwtVerify } from '../bindings/JwtVerify';
import type { KeyringChange } from '../bindings/KeyringChange';
import type { LockReason } from '../bindings/LockReason';
import type { DeviceCodePrompt } from '../bindings/DeviceCodePrompt';
import type { LoginMethod } from '../bindings/LoginMethod';
import type { OtpCode } from '../bindings/OtpCode';
import type { OtpCodes } from '../bindings/OtpCodes';
import type { OtpLink } from '../bindings/OtpLink';
import type { PlainField } from '../bindings/PlainField';
import type { RecentRequest } from '../bindings/RecentRequest';
import type { RecoverySaved } from '../bindings/RecoverySaved';
import type { RequestInput } from '../bindings/RequestInput';
import type { RequestResult } from '../bindings/RequestResult';
import type { SavedRequest } from '../bindings/SavedRequest';
import type { SecretField } from '../bindings/SecretField';
import type { Settings } from '../bindings/Settings';
import type { SettingsView } from '../bindings/SettingsView';
import type { SyncDevice } from '../bindings/SyncDevice';
import type { SyncState } from '../bindings/SyncState';
import type { TokenInspection } from '../bindings/TokenInspection';
import type { TokenOutcome } from '../bindings/TokenOutcome';
import type { Trashed } from '../bindings/Trashed';
import type { TrashList } from '../bindings/TrashList';
import type { TrashSummary } from '../bindings/TrashSummary';
import type { VaultStatus } from '../bindings/VaultStatus';

export type {
  BackupEntry,
  BackupStatus,
  BodyInput,
  ConflictVersionView,
  ConflictView,
  Copied,
  CopiedMain,
  CurlParsed,
  Diagnosis,
  DiagnosisKind,
  FixAction,
  HistoryEntry,
  CreatedVault,
  DeviceCodePrompt,
  ErrorKind,
  HotpCode,
  ImportFormat,
  ImportPreview,
  ImportRow,
  ImportSource,
  ImportSummary,
  ItemDetail,
  ItemEdit,
  ItemInput,
  ItemList,
  JwtCheck,
  JwtKey,
  JwtReport,
  JwtVerify,
  KeyringChange,
  LockReason,
  LoginMethod,
  OtpCode,
  OtpCodes,
  PlainField,
  RecentRequest,
  RecoverySaved,
  RequestInput,
  RequestResult,
  SavedRequest,
  SecretField,
  Settings,
  SettingsView,
  SyncDevice,
  SyncState,
  TokenInspection,
  TokenOutcome,
  Trashed,
  TrashList,
  TrashSummary,
  VaultStatus,
};

/** A failed command: `kind` to branch on, `message` to show (never holds a secret), and
 * `field`, the form input at fault (for `invalid_input` and `duplicate_name`). */
export class IpcError extends Error {
  readonly kind: ErrorKind;
  readonly field: string | null;

  constructor(kind: ErrorKind, message: string, field: string | null = null) {
    super(message);
    this.name = 'IpcError';
    this.kind = kind;
    this.field = field;
  }
}

function isErrorPayload(e: unknown): e is IpcErrorPayload {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  return typeof r.kind === 'string' && typeof r.message === 'string';
}

/** Any rejection as an IpcError: the backend's `{kind, message, field}`, or `internal`. */
export function toIpcError(e: unknown): IpcError {
  if (e instanceof IpcError) return e;
  if (isErrorPayload(e)) {
    return new IpcError(e.kind, e.message, typeof e.field === 'string' ? e.field : null);
  }
  if (e instanceof Error) return new IpcError('internal', e.message);
  return new IpcError('internal', typeof e === 'string' ? e : 'the app backend did not answer');
}

async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

// ---- vault ----

export function vaultStatus(): Promise<VaultStatus> {
  return call('vault_status');
}

/** Creates the vault (about a second: the KDF is calibrated). */
export function vaultCreate(password: string, keyring: boolean): Promise<CreatedVault> {
  return call('vault_create', { password, keyring });
}

/** The password goes straight to Rust, which wraps it in a SecretString. */
export function vaultUnlock(password: string): Promise<VaultStatus> {
  return call('vault_unlock', { password });
}

export function vaultUnlockKeyring(): Promise<VaultStatus> {
  return call('vault_unlock_keyring');
}

export function vaultLock(): Promise<VaultStatus> {
  return call('vault_lock');
}

export function vaultChangePassword(current_password: string, new_password: string): Promise<null> {
  return call('vault_change_password', { current_password, new_password });
}

/** Forgot the password: unlock with the recovery code and set a new password (Rust checks
 * the code; a wrong one is `wrong_recovery_code`). */
export function vaultRecover(recovery_code: string, new_password: string): Promise<VaultStatus> {
  return call('vault_recover', { recovery_code, new_password });
}

/** First run: Rust copies the new vault's recovery code (it holds it until dismissed). */
export function recoveryCopy(): Promise<Copied> {
  return call('recovery_copy');
}

/** First run: Rust saves the recovery code to a 0600 file; resolves with its path. */
export function recoverySave(): Promise<RecoverySaved> {
  return call('recovery_save');
}

/** First run is over: Rust drops the recovery code. */
export function recoveryForget(): Promise<null> {
  return call('recovery_forget');
}

/** Tells the auto-lock timer the user is active. */
export function appActivity(): Promise<null> {
  return call('app_activity');
}

// ---- items ----

export function itemsList(): Promise<ItemList> {
  return call('items_list');
}

export function itemGet(id: string): Promise<ItemDetail> {
  return call('item_get', { id });
}

/** The one call that brings a secret into the window (audited). */
export function itemReveal(id: string, field: SecretField): Promise<string> {
  return call('item_reveal', { id, field });
}

/** Rust writes the clipboard; the window never sees the value. */
export function itemCopy(id: string, field: SecretField): Promise<Copied> {
  return call('item_copy', { id, field });
}

/** Ctrl+C: Rust copies the item's main secret (a 2FA item's code) and says what it was. */
export function itemCopyMain(id: string): Promise<CopiedMain> {
  return call('item_copy_main', { id });
}

/** Copies a field that is not a secret (username, client ID, URL), through Rust too. */
export function itemCopyPlain(id: string, field: PlainField): Promise<Copied> {
  return call('item_copy_plain', { id, field });
}

export function itemAdd(item: ItemInput): Promise<ItemDetail> {
  return call('item_add', { item });
}

export function itemUpdate(id: string, item: ItemEdit): Promise<ItemDetail> {
  return call('item_update', { id, item });
}

/** Moves the item to the Trash (kept 30 days); returns what an Undo needs. A damaged item
 * is deleted for good instead (`in_trash` false: no Undo). */
export function itemDelete(id: string): Promise<Trashed> {
  return call('item_delete', { id });
}

// ---- Trash ----

/** What the Trash holds, the most recently deleted first. */
export function trashList(): Promise<TrashList> {
  return call('trash_list');
}

/** Brings an item back from the Trash (Undo, Restore). `name`: a new name when another item
 * has taken its own (that refusal is `duplicate_name` with `field` "name"). */
export function itemRestore(id: string, name: string | null = null): Promise<ItemDetail> {
  return call('item_restore', { id, name });
}

/** Deletes one item in the Trash for good. */
export function itemPurge(id: string): Promise<null> {
  return call('item_purge', { id });
}

/** Deletes everything in the Trash for good; resolves to how many items went. */
export function trashEmpty(): Promise<number> {
  return call('trash_empty');
}

// ---- rotation ----

/** "Mark rotated": the new value goes straight to Rust (a SecretString there); the old
 * one stays readable for `grace_days` (0: not kept). */
export function itemRotate(id: string, value: string, grace_days: number): Promise<ItemDetail> {
  return call('item_rotate', { id, value, grace_days });
}

/** Hides the rotation reminder or expiry notice for `days`; never hides an expiry. */
export function itemSnooze(id: string, days: number): Promise<ItemDetail> {
  return call('item_snooze', { id, days });
}

/** A previous version's value (audited); `version_id` null is the newest. */
export function itemPreviousReveal(id: string, version_id: string | null): Promise<string> {
  return call('item_previous_reveal', { id, version_id });
}

/** Rust copies a previous version's value (audited, cleared like any copy). */
export function itemPreviousCopy(id: string, version_id: string | null): Promise<Copied> {
  return call('item_previous_copy', { id, version_id });
}

// ---- 2FA codes ----

/** Every 2FA item with its live code at Rust's `now` (the window's clock is not trusted). */
export function otpCodes(): Promise<OtpCodes> {
  return call('otp_codes');
}

/** One 2FA item's code (its detail pane), in the shape of otpCodes: only its seed is opened. */
export function otpCode(id: string): Promise<OtpCodes> {
  return call('otp_code', { id });
}

/** Rust copies the current code of a TOTP/Steam item (cleared after `clear_after_s`). */
export function otpCopy(id: string): Promise<Copied> {
  return call('otp_copy', { id });
}

/** Makes the next HOTP code (the stored counter advances); Rust copies it when `copy`. */
export function hotpNext(id: string, copy: boolean): Promise<HotpCode> {
  return call('hotp_next', { id, copy });
}

/** Issuer, account and parameters of an otpauth:// link pasted in the 2FA form, read by
 * the core's parser (never the seed). An invalid link rejects with what is wrong. */
export function otpLinkRead(link: string): Promise<OtpLink> {
  return call('otp_link_read', { link });
}

// ---- import ----

/** Parses an export (a 2FA app's, a password manager's, an API client's, a .env or CSV
 * file); Rust keeps the entries under `id`. `format` null = detect a 2FA export;
 * `password` for an encrypted export (`import_password_needed`). */
export function importPreview(
  source: ImportSource,
  format: ImportFormat | null,
  password: string | null,
  options: ImportOptions | null = null,
): Promise<ImportPreview> {
  return call('import_preview', { source, format, password, options });
}

/** Saves the previewed rows `rows` (indexes; null = those offered ticked). */
export function importCommit(id: string, rows: number[] | null = null): Promise<ImportSummary> {
  return call('import_commit', { id, rows });
}

export function importCancel(id: string): Promise<null> {
  return call('import_cancel', { id });
}

// ---- tokens ----

/** A JWT's header and claims (Rust decodes; the token itself never comes here). */
export function tokenInspect(id: string, field: SecretField): Promise<TokenInspection> {
  return call('token_inspect', { id, field });
}

/** The JWT debugger: decode a pasted token and, with `verify`, check it. The token goes to
 * Rust as a secret string and is never echoed back. */
export function jwtInspect(token: string, verify: JwtVerify | null): Promise<JwtReport> {
  return call('jwt_inspect', { token, verify });
}

/** The JWT debugger on an item's token: Rust reads it; it never comes to the window. */
export function jwtInspectItem(id: string, field: SecretField, verify: JwtVerify | null): Promise<JwtReport> {
  return call('jwt_inspect_item', { id, field, verify });
}

/** Copy a decoded header or claims JSON (cleared like any copy). */
export function jwtCopy(text: string): Promise<Copied> {
  return call('jwt_copy', { text });
}

/** Renew an OAuth2 item's access token now (refresh token or client credentials). */
export function oauthRenew(id: string): Promise<TokenOutcome> {
  return call('oauth_renew', { id });
}

/** Log an OAuth2 item in: the system browser, or a device code (`onDeviceCode`). Resolves
 * when the login is done, fails when it is refused, times out or is cancelled. */
export function oauthLogin(id: string, method: LoginMethod): Promise<TokenOutcome> {
  return call('oauth_login', { id, method });
}

export function oauthLoginCancel(): Promise<null> {
  return call('oauth_login_cancel');
}

/** Keep an OAuth2 item's access token fresh in the background while the app runs. */
export function oauthSetAutoRenew(id: string, on: boolean): Promise<null> {
  return call('oauth_set_auto_renew', { id, on });
}

// ---- test requests ----

/** Send a test request with the item's credential (attached in Rust; echoes of it in the
 * response come back as `[redacted]`). With `retry`, an OAuth token the server calls
 * expired is renewed and the request sent once more. */
export function requestSend(id: string, request: RequestInput, retry: boolean): Promise<RequestResult> {
  return call('request_send', { id, request, retry });
}

/** Stop the request on the wire (`request_send` then fails with "cancelled"). */
export function requestCancel(): Promise<null> {
  return call('request_cancel');
}

/** The item's sent requests, newest first, every secret redacted. */
export function requestHistory(id: string): Promise<HistoryEntry[]> {
  return call('request_history', { id });
}

/** The vault's newest sent requests across items (at most `limit`, at most 500). */
export function requestRecent(limit: number): Promise<RecentRequest[]> {
  return call('request_recent', { limit });
}

export function requestSaved(id: string): Promise<SavedRequest[]> {
  return call('request_saved', { id });
}

/** Save under `name` (one of the same name, any case, is replaced). */
export function requestSave(id: string, name: string, request: RequestInput): Promise<SavedRequest> {
  return call('request_save', { id, name, request });
}

export function requestSavedDelete(id: string, saved_id: string): Promise<null> {
  return call('request_saved_delete', { id, saved_id });
}

/** A pasted curl command as an editor request; its credentials are dropped (`dropped`). */
export function requestFromCurl(command: string): Promise<CurlParsed> {
  return call('request_from_curl', { command });
}

// ---- settings ----

/** Settings → About: the version and the git commit of this build. */
export function appAbout(): Promise<About> {
  return call('app_about');
}

export function settingsGet(): Promise<SettingsView> {
  return call('settings_get');
}

export function settingsSet(settings: Settings): Promise<SettingsView> {
  return call('settings_set', { settings });
}

// ---- backups ----

/** Settings → Backups: automatic on/off, the folder, the last backup, how many. */
export function backupStatus(): Promise<BackupStatus> {
  return call('backup_status');
}

/** A snapshot of the vault now, into the backup folder (still sealed). */
export function backupNow(): Promise<BackupEntry> {
  return call('backup_now');
}

/** `folder` null or blank: `backups/` next to the vault file. Turning automatic backups on
 * (or moving them) takes one at once; a folder that cannot be written is refused on the
 * field `folder`. */
export function backupSet(folder: string | null, auto: boolean): Promise<BackupStatus> {
  return call('backup_set', { folder, auto });
}

/** This vault's backups in `folder` (null: the configured one), newest first. */
export function backupList(folder: string | null = null): Promise<BackupEntry[]> {
  return call('backup_list', { folder });
}

/** First run: the vault file written from a backup file (a full path); it then unlocks
 * with the password it had. Errors about the file are on the field `snapshot`. */
export function backupRestore(snapshot: string): Promise<VaultStatus> {
  return call('backup_restore', { snapshot });
}

// ---- sync ----

/** The status bar and Settings → Sync: on or off, the folder, the devices, the last pass,
 * what is pending, how many items have a conflict, the last pass's error. Fails with
 * `locked` / `no_vault` when there is no open vault. */
export function syncState(): Promise<SyncState> {
  return call('sync_state');
}

/** One sync pass now (Settings → Sync "Sync now"); the state after it. */
export function syncNow(): Promise<SyncState> {
  return call('sync_now');
}

/** Start syncing through `dir` (the full path of the folder a sync tool shares) as this
 * device `name` (null: the host name). Errors about the folder are on the field `folder`. */
/** First run on a new device: this app's vault from a sync folder, unlocked. */
export function syncJoin(dir: string, password: string, name: string | null): Promise<VaultStatus> {
  return call('sync_join', { dir, password, name });
}

export function syncSetup(dir: string, name: string | null): Promise<SyncState> {
  return call('sync_setup', { dir, name });
}

/** Stop reading a device (lost or sold): what it synced before stays. */
export function syncRemoveDevice(id: string): Promise<SyncState> {
  return call('sync_remove_device', { id });
}

/** Every item changed on two devices at once, with each of its versions. */
export function conflictsList(): Promise<ConflictView[]> {
  return call('conflicts_list');
}

/** "Keep this one": the version `version_id` of `item_id` is kept; the conflicts left. */
export function conflictKeep(item_id: string, version_id: string): Promise<ConflictView[]> {
  return call('conflict_keep', { item_id, version_id });
}

export function keyringSet(enabled: boolean): Promise<KeyringChange> {
  return call('keyring_set', { enabled });
}

// ---- events ----

/** Calls `cb` when Rust locks the vault by itself (auto-lock). Returns the unsubscribe. */
export function onVaultLocked(cb: (reason: LockReason) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  listen<LockReason>('vault-locked', (event) => {
    cb(event.payload);
  }).then(
    (unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    },
    () => {
      // No event system (e.g. a plain browser without the Tauri runtime): nothing to hear.
    },
  );
  return () => {
    stopped = true;
    if (stop) stop();
  };
}

/** Calls `cb` when Rust changed items by itself (a background renewal). */
export function onItemsChanged(cb: () => void): () => void {
  return subscribe<string[]>('items-changed', cb);
}

/** Calls `cb` with the code to show during a device login. Returns the unsubscribe. */
export function onDeviceCode(cb: (prompt: DeviceCodePrompt) => void): () => void {
  return subscribe<DeviceCodePrompt>('oauth-device-code', cb);
}

/** Subscribe to one of the app's events; the returned function unsubscribes (also when it
 * is called before the subscription is in place). `T` is the payload the Rust side emits. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function subscribe<T>(event: string, cb: (payload: T) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  // An event system torn down first (a closing window, a finished test) has nothing left
  // to unsubscribe from.
  const safely = (unlisten: () => void) => {
    // The unsubscribe is asynchronous underneath: its failure arrives as a rejection.
    Promise.resolve()
      .then(unlisten)
      .catch(() => undefined);
  };
  listen<T>(event, (e) => {
    cb(e.payload);
  }).then(
    (unlisten) => {
      if (stopped) safely(unlisten);
      else stop = unlisten;
    },
    () => {
      // No event system: nothing to hear.
    },
  );
  return () => {
    stopped = true;
    if (stop) safely(stop);
  };
}

/** Calls `cb` with the paths of files dropped on the window (Tauri's webview drag-drop
 * event; the webview itself never sees the paths), and `onHover` while files are dragged
 * over it. Returns the unsubscribe. */
export function onFileDrop(cb: (paths: string[]) => void, onHover?: (over: boolean) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  let subscribed: Promise<() => void>;
  try {
    subscribed = getCurrentWebview().onDragDropEvent((event) => {
      const p = event.payload;
      if (p.type === 'drop') {
        onHover?.(false);
        if (p.paths.length > 0) cb(p.paths);
      } else {
        onHover?.(p.type !== 'leave');
      }
    });
  } catch {
    // No Tauri runtime (a plain browser): no webview to listen to.
    return () => undefined;
  }
  subscribed.then(
    (unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    },
    () => {
      // No event system: nothing to hear.
    },
  );
  return () => {
    stopped = true;
    if (stop) stop();
  };
}
