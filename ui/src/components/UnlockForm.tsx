import { type SubmitEvent, useEffect, useId, useRef, useState } from 'react';
import { type IpcError, toIpcError, vaultUnlock, vaultUnlockKeyring, type VaultStatus } from '../lib/ipc';

interface Props {
  hasKeyring: boolean;
  onUnlocked: (status: VaultStatus) => void;
}

type Busy = false | 'password' | 'keyring';

/** What to add after a failed keyring unlock: the password always works. */
function hint(error: IpcError): string | null {
  return error.kind === 'keyring_unavailable' || error.kind === 'keyring_slot_missing'
    ? 'Unlock with your password instead.'
    : null;
}

export function UnlockForm({ hasKeyring, onUnlocked }: Props) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<Busy>(false);
  const [error, setError] = useState<IpcError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const errorId = `${id}-error`;

  const attempt = async (how: Exclude<Busy, false>, unlock: () => Promise<VaultStatus>) => {
    setBusy(how);
    setError(null);
    try {
      const status = await unlock();
      setPassword('');
      onUnlocked(status);
    } catch (e) {
      setError(toIpcError(e));
      setBusy(false);
    }
  };

  // After a failure, back to the password (once the input is enabled again).
  useEffect(() => {
    if (error && busy === false) {
      input.current?.focus();
      input.current?.select();
    }
  }, [error, busy]);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (password === '' || busy) return;
    void attempt('password', () => vaultUnlock(password));
  };

  return (
    <form className="panel" onSubmit={submit} aria-busy={busy !== false}>
      <label htmlFor={`${id}-password`}>Master password</label>
      <div className="row">
        <input
          id={`${id}-password`}
          ref={input}
          type="password"
          autoComplete="current-password"
          autoFocus
          spellCheck={false}
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
          disabled={busy !== false}
          aria-invalid={error?.kind === 'wrong_password'}
          aria-describedby={error ? errorId : undefined}
        />
        <button type="submit" className="primary" disabled={busy !== false || password === ''}>
          {busy === 'password' ? 'Unlocking…' : 'Unlock'}
        </button>
      </div>
      {hasKeyring && (
        <button
          type="button"
          onClick={() => void attempt('keyring', vaultUnlockKeyring)}
          disabled={busy !== false}
        >
          {busy === 'keyring' ? 'Asking the system keyring…' : 'Unlock with system keyring'}
        </button>
      )}
      {error && (
        <p className="error" role="alert" id={errorId}>
          {error.message}
          {hint(error) && <> {hint(error)}</>}
        </p>
      )}
    </form>
  );
}
