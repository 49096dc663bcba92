// The only module that talks to the Rust side (DESIGN.md). Components call these typed
// functions; a failed command rejects with an `IpcError`.
//
// The types mirror src-tauri/src/commands/vault.rs and src-tauri/src/error.rs. They are
// written by hand until the ts-rs bindings (src/bindings/) arrive.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';

export type VaultState = 'none' | 'locked' | 'unlocked';

export interface VaultStatus {
  state: VaultState;
  /** Where the vault file is (or would be created). */
  path: string;
  /** Only when unlocked. */
  itemCount: number | null;
  /** The vault has a keyring slot: it can be unlocked through the OS keyring. */
  hasKeyring: boolean;
}

/** Stable error kinds of keywright-core (`Error::kind`) plus the shell's own `internal`. */
export type IpcErrorKind =
  | 'no_vault'
  | 'vault_exists'
  | 'newer_version'
  | 'corrupt'
  | 'locked'
  | 'wrong_password'
  | 'wrong_recovery_code'
  | 'tampered'
  | 'keyring_unavailable'
  | 'keyring_slot_missing'
  | 'session_invalid'
  | 'not_found'
  | 'duplicate_name'
  | 'invalid_input'
  | 'database'
  | 'io'
  | 'random'
  | 'internal';

/** A failed command: `kind` to branch on, `message` to show (never holds a secret). */
export class IpcError extends Error {
  readonly kind: IpcErrorKind | (string & {});

  constructor(kind: string, message: string) {
    super(message);
    this.name = 'IpcError';
    this.kind = kind;
  }
}

function isErrorPayload(e: unknown): e is { kind: string; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as Record<string, unknown>).kind === 'string' &&
    typeof (e as Record<string, unknown>).message === 'string'
  );
}

/** Any rejection as an IpcError: the backend's `{kind, message}`, or an `internal` one. */
export function toIpcError(e: unknown): IpcError {
  if (e instanceof IpcError) return e;
  if (isErrorPayload(e)) return new IpcError(e.kind, e.message);
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

export function vaultStatus(): Promise<VaultStatus> {
  return call('vault_status');
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
