import { type SubmitEvent, useEffect, useId, useRef, useState } from 'react';
import { type IpcError, toIpcError, vaultUnlock, vaultUnlockKeyring, type VaultStatus } from '../lib/ipc';
import { BrandMark } from './BrandMark';

type Busy = false | 'password' | 'keyring';

function describe(e: IpcError): string {
  if (e.kind === 'wrong_password') return 'Wrong password';
  if (e.kind === 'keyring_unavailable' || e.kind === 'keyring_slot_missing') {
    return `${e.message} Unlock with your password instead.`;
  }
  return e.message;
}

interface Props {
  status: VaultStatus;
  /** Why the vault is locked (auto-lock), shown above the form. */
  note: string | null;
  onUnlocked: (s: VaultStatus) => void;
}

export function Unlock({ status, note, onUnlocked }: Props) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<Busy>(false);
  const [error, setError] = useState<IpcError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  const attempt = async (how: Exclude<Busy, false>, unlock: () => Promise<VaultStatus>) => {
    setBusy(how);
    setError(null);
    try {
      const s = await unlock();
      setPassword('');
      onUnlocked(s);
    } catch (e) {
      setError(toIpcError(e));
      setBusy(false);
    }
  };

  // After a failure, back to the password field with its text selected.
  useEffect(() => {
    if (error && busy === false) {
      input.current?.focus();
      input.current?.select();
    }
  }, [error, busy]);

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (password === '' || busy) return;
    void attempt('password', () => vaultUnlock(password));
  };

  return (
    <div className="gate">
      <form className="gate-card" onSubmit={submit}>
        <div className="gate-brand">
          <BrandMark />
          <h1>Unlock Keywright</h1>
        </div>
        {note !== null && (
          <p className="banner banner-info" role="status">
            {note}
          </p>
        )}
        <div className="field">
          <label className="field-label" htmlFor={`${id}-pw`}>
            Master password
          </label>
          <input
            id={`${id}-pw`}
            ref={input}
            type="password"
            autoFocus
            autoComplete="current-password"
            value={password}
            disabled={busy !== false}
            aria-invalid={error !== null}
            aria-describedby={error ? `${id}-err` : undefined}
            onChange={(e) => {
              setPassword(e.target.value);
            }}
          />
          {error && (
            <p id={`${id}-err`} className="field-error" role="alert">
              {describe(error)}
            </p>
          )}
        </div>
        <button type="submit" className="primary wide" disabled={busy !== false || password === ''}>
          {busy === 'password' ? 'Unlocking…' : 'Unlock'}
        </button>
        {status.has_keyring && (
          <button
            type="button"
            className="wide"
            disabled={busy !== false}
            onClick={() => void attempt('keyring', vaultUnlockKeyring)}
          >
            {busy === 'keyring' ? 'Asking the keyring…' : 'Unlock with system keyring'}
          </button>
        )}
        <p className="path" title="Vault file">
          {status.path}
        </p>
      </form>
    </div>
  );
}
