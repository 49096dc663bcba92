import { type SubmitEvent, useEffect, useId, useRef, useState } from 'react';
import { type IpcError, toIpcError, vaultRecover, vaultUnlock, vaultUnlockKeyring, type VaultStatus } from '../lib/ipc';
import { BrandMark } from './BrandMark';
import { StrengthMeter } from './CreateVault';

const MIN_LENGTH = 8;
/** Letters and digits of a recovery code (dashes and spaces aside). */
const CODE_CHARS = 32;

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

export function Unlock(props: Props) {
  const [recovering, setRecovering] = useState(false);
  return recovering ? (
    <Recover
      status={props.status}
      onUnlocked={props.onUnlocked}
      onBack={() => {
        setRecovering(false);
      }}
    />
  ) : (
    <PasswordUnlock
      {...props}
      onForgot={() => {
        setRecovering(true);
      }}
    />
  );
}

function PasswordUnlock({ status, note, onUnlocked, onForgot }: Props & { onForgot: () => void }) {
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
        <button type="button" className="link-button" data-testid="recovery-link" disabled={busy !== false} onClick={onForgot}>
          Forgot password? Use recovery code
        </button>
        <p className="path" title="Vault file">
          {status.path}
        </p>
      </form>
    </div>
  );
}

interface RecoverErrors {
  code?: string;
  password?: string;
  confirm?: string;
}

/** What is wrong with the form as typed (shown once it was submitted, re-checked on input). */
function check(code: string, password: string, confirm: string): RecoverErrors {
  const e: RecoverErrors = {};
  const chars = code.replace(/[\s-]/g, '');
  if (chars === '') e.code = 'Enter the recovery code you saved when the vault was created.';
  else if (chars.length !== CODE_CHARS) {
    e.code = `A recovery code has ${String(CODE_CHARS)} letters and digits (8 groups of 4); this has ${String(chars.length)}.`;
  }
  if (password.length < MIN_LENGTH) e.password = `Use at least ${String(MIN_LENGTH)} characters.`;
  if (confirm !== password) e.confirm = 'The passwords do not match.';
  return e;
}

/** Forgot the password: the recovery code opens the vault and a new password is set. */
function Recover({ status, onUnlocked, onBack }: { status: VaultStatus; onUnlocked: (s: VaultStatus) => void; onBack: () => void }) {
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  // What Rust said, for the input it names; dropped when that input changes.
  const [server, setServer] = useState<{ field: keyof RecoverErrors | 'form'; message: string } | null>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const id = useId();

  const local = submitted ? check(code, password, confirm) : {};
  const errors: RecoverErrors & { form?: string } = { ...local };
  if (server) errors[server.field] ??= server.message;

  const submit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    setSubmitted(true);
    setServer(null);
    const found = check(code, password, confirm);
    if (found.code !== undefined || found.password !== undefined || found.confirm !== undefined) return;
    setBusy(true);
    try {
      const s = await vaultRecover(code, password);
      setCode('');
      setPassword('');
      setConfirm('');
      onUnlocked(s);
    } catch (err) {
      const ipc = toIpcError(err);
      const field = ipc.field === 'recovery_code' || ipc.kind === 'wrong_recovery_code' ? 'code' : ipc.field === 'new_password' ? 'password' : 'form';
      setServer({ field, message: ipc.message });
      setBusy(false);
      if (field === 'code') {
        codeInput.current?.focus();
        codeInput.current?.select();
      }
    }
  };

  const described = (k: keyof RecoverErrors) => (errors[k] !== undefined ? `${id}-${k}-err` : undefined);

  return (
    <div className="gate">
      <form className="gate-card" onSubmit={(e) => void submit(e)} noValidate data-testid="recovery-form">
        <div className="gate-brand">
          <BrandMark />
          <h1>Use your recovery code</h1>
        </div>
        <p className="muted">
          The recovery code you saved when the vault was created opens it. Then choose a new master password. The
          recovery code keeps working; command-line sessions are ended.
        </p>
        {errors.form !== undefined && (
          <p className="banner banner-error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="field">
          <label className="field-label" htmlFor={`${id}-code`}>
            Recovery code
          </label>
          <input
            id={`${id}-code`}
            ref={codeInput}
            className="recovery-input"
            type="text"
            autoFocus
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
            value={code}
            disabled={busy}
            aria-invalid={errors.code !== undefined}
            aria-describedby={described('code')}
            onChange={(e) => {
              setCode(e.target.value);
              if (server?.field === 'code' || server?.field === 'form') setServer(null);
            }}
          />
          {errors.code !== undefined && (
            <span id={`${id}-code-err`} className="field-error" role="alert">
              {errors.code}
            </span>
          )}
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-pw`}>
            New master password
          </label>
          <input
            id={`${id}-pw`}
            type="password"
            autoComplete="new-password"
            value={password}
            disabled={busy}
            aria-invalid={errors.password !== undefined}
            aria-describedby={described('password') ?? `${id}-pw-hint`}
            onChange={(e) => {
              setPassword(e.target.value);
              if (server?.field === 'password') setServer(null);
            }}
          />
          <StrengthMeter password={password} />
          {errors.password !== undefined ? (
            <span id={`${id}-password-err`} className="field-error">
              {errors.password}
            </span>
          ) : (
            <span id={`${id}-pw-hint`} className="field-hint">
              At least {MIN_LENGTH} characters; a few random words work well.
            </span>
          )}
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-confirm`}>
            Confirm new password
          </label>
          <input
            id={`${id}-confirm`}
            type="password"
            autoComplete="new-password"
            value={confirm}
            disabled={busy}
            aria-invalid={errors.confirm !== undefined}
            aria-describedby={described('confirm')}
            onChange={(e) => {
              setConfirm(e.target.value);
            }}
          />
          {errors.confirm !== undefined && (
            <span id={`${id}-confirm-err`} className="field-error">
              {errors.confirm}
            </span>
          )}
        </div>
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Opening the vault…' : 'Unlock and set the new password'}
        </button>
        <button type="button" className="wide" disabled={busy} onClick={onBack}>
          Back to the password
        </button>
        <p className="path" title="Vault file">
          {status.path}
        </p>
      </form>
    </div>
  );
}
