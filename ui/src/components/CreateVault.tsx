import { type SubmitEvent, useId, useState } from 'react';
import { groupCode } from '../lib/format';
import {
  backupRestore,
  syncJoin,
  type CreatedVault,
  recoveryCopy,
  recoveryForget,
  recoverySave,
  toIpcError,
  vaultCreate,
  type VaultStatus,
} from '../lib/ipc';
import { MIN_PASSWORD_LENGTH as MIN_LENGTH, newPasswordErrors } from '../lib/password';
import { estimateStrength } from '../lib/strength';
import { BrandMark } from './BrandMark';

export function StrengthMeter({ password }: { password: string }) {
  const s = estimateStrength(password);
  if (password === '') return null;
  return (
    <div className={`strength strength-${String(s.score)}`} aria-live="polite">
      <div className="strength-bar" aria-hidden="true">
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className={i < Math.max(1, s.score) ? 'on' : ''} />
        ))}
      </div>
      <span className="strength-text" data-testid="strength">
        {s.label} — about {String(s.bits)} bits
      </span>
    </div>
  );
}

/** First run: choose the master password, then see the recovery code once; or restore a
 * backup (`onRestored`: the vault, locked, to unlock with the password it had). */
export function CreateVault({
  path,
  onCreated,
  onRestored,
  onJoined,
}: {
  path: string;
  onCreated: (v: CreatedVault) => void;
  onRestored: (s: VaultStatus) => void;
  /** Joined a synced vault: it is unlocked. */
  onJoined?: (s: VaultStatus) => void;
}) {
  const [other, setOther] = useState<'restore' | 'join' | null>(null);
  if (other === 'restore') {
    return (
      <RestoreBackup
        path={path}
        onRestored={onRestored}
        onCancel={() => {
          setOther(null);
        }}
      />
    );
  }
  if (other === 'join') {
    return (
      <JoinSynced
        path={path}
        onJoined={onJoined ?? onRestored}
        onCancel={() => {
          setOther(null);
        }}
      />
    );
  }
  return (
    <NewVault
      path={path}
      onCreated={onCreated}
      onRestore={() => {
        setOther('restore');
      }}
      onJoin={() => {
        setOther('join');
      }}
    />
  );
}

function NewVault({
  path,
  onCreated,
  onRestore,
  onJoin,
}: {
  path: string;
  onCreated: (v: CreatedVault) => void;
  onRestore: () => void;
  onJoin: () => void;
}) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [keyring, setKeyring] = useState(true);
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  /** What Rust said (a refused password, a file problem); goes when the input changes. */
  const [server, setServer] = useState<{ password?: string | undefined; form?: string | undefined }>({});
  const id = useId();
  // Re-checked on every change: a message that no longer applies goes at once.
  const live = newPasswordErrors(password, confirm, submitted);
  const errors = { ...live, ...server, password: server.password ?? live.password };

  const submit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    setSubmitted(true);
    setServer({});
    const next = newPasswordErrors(password, confirm, true);
    if (next.password !== undefined || next.confirm !== undefined) return;
    setBusy(true);
    try {
      const created = await vaultCreate(password, keyring);
      setPassword('');
      setConfirm('');
      onCreated(created);
    } catch (err) {
      const ipc = toIpcError(err);
      setServer(
        ipc.field === 'password' || ipc.field === 'new_password'
          ? { password: ipc.message }
          : { form: ipc.message },
      );
      setBusy(false);
    }
  };

  return (
    <div className="gate">
      <form className="gate-card" onSubmit={(e) => void submit(e)} noValidate>
        <div className="gate-brand">
          <BrandMark />
          <h1>Create your Keywright vault</h1>
        </div>
        <p className="muted">
          One encrypted file on this computer for your API keys, tokens, OAuth clients and
          one-time codes. Choose a master password: it cannot be recovered without the recovery
          code you will see next.
        </p>
        {errors.form !== undefined && (
          <p className="banner banner-error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="field">
          <label className="field-label" htmlFor={`${id}-pw-input`}>
            Master password
          </label>
          <input
            id={`${id}-pw-input`}
            type="password"
            autoFocus
            autoComplete="new-password"
            value={password}
            disabled={busy}
            aria-invalid={errors.password !== undefined}
            aria-describedby={`${id}-pw`}
            onChange={(e) => {
              setPassword(e.target.value);
              setServer({});
            }}
          />
          <StrengthMeter password={password} />
          <span id={`${id}-pw`} className={errors.password !== undefined ? 'field-error' : 'field-hint'}>
            {errors.password ?? `At least ${String(MIN_LENGTH)} characters; a few random words work well.`}
          </span>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-confirm-input`}>
            Confirm password
          </label>
          <input
            id={`${id}-confirm-input`}
            type="password"
            autoComplete="new-password"
            value={confirm}
            disabled={busy}
            aria-invalid={errors.confirm !== undefined}
            aria-describedby={`${id}-confirm`}
            onChange={(e) => {
              setConfirm(e.target.value);
              setServer((s) => ({ password: s.password }));
            }}
          />
          {errors.confirm !== undefined && (
            <span id={`${id}-confirm`} className="field-error" role="alert">
              {errors.confirm}
            </span>
          )}
        </div>
        <div>
          <label className="check">
            <input
              type="checkbox"
              checked={keyring}
              disabled={busy}
              aria-describedby={`${id}-keyring`}
              onChange={(e) => {
                setKeyring(e.target.checked);
              }}
            />
            <span>Unlock with the system keyring</span>
          </label>
          <span id={`${id}-keyring`} className="field-hint check-hint">
            While you are logged in, the vault opens without the password.
          </span>
        </div>
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Creating vault…' : 'Create vault'}
        </button>
        <button type="button" className="wide" disabled={busy} onClick={onRestore}>
          Restore from backup
        </button>
        <button type="button" className="wide" disabled={busy} onClick={onJoin}>
          Join a synced vault
        </button>
        <p className="path" title="Vault file">
          {path}
        </p>
      </form>
    </div>
  );
}

/** First run, "Restore from backup": the path of a backup file (`keywright-….kwbak.db`, or
 * any vault file); Rust checks it and writes the vault file from it. */
function RestoreBackup({
  path,
  onRestored,
  onCancel,
}: {
  path: string;
  onRestored: (s: VaultStatus) => void;
  onCancel: () => void;
}) {
  const [file, setFile] = useState('');
  const [error, setError] = useState<{ field: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    if (file.trim() === '') {
      setError({ field: true, text: 'Enter the full path of the backup file.' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onRestored(await backupRestore(file.trim()));
    } catch (err) {
      const ipc = toIpcError(err);
      setError({ field: ipc.field === 'snapshot', text: ipc.message });
      setBusy(false);
    }
  };

  return (
    <div className="gate">
      <form className="gate-card" onSubmit={(e) => void submit(e)} noValidate>
        <div className="gate-brand">
          <BrandMark />
          <h1>Restore from backup</h1>
        </div>
        <p className="muted">
          A Keywright backup is the encrypted vault itself. Restoring it puts it where this app keeps its vault; it then
          opens with the master password (or the recovery code) the vault had when the backup was taken.
        </p>
        {error !== null && !error.field && (
          <p className="banner banner-error" role="alert">
            {error.text}
          </p>
        )}
        <div className="field">
          <label className="field-label" htmlFor={`${id}-file`}>
            Backup file
          </label>
          <input
            id={`${id}-file`}
            type="text"
            autoFocus
            spellCheck={false}
            placeholder="/media/usb/keywright/keywright-1a2b3c4d-20261202T101500Z.kwbak.db"
            value={file}
            disabled={busy}
            aria-invalid={error?.field === true}
            aria-describedby={`${id}-file-msg`}
            onChange={(e) => {
              setFile(e.target.value);
              setError(null);
            }}
          />
          <span
            id={`${id}-file-msg`}
            className={error?.field === true ? 'field-error' : 'field-hint'}
            role={error?.field === true ? 'alert' : undefined}
          >
            {error?.field === true
              ? error.text
              : 'The full path of a keywright-….kwbak.db file (Settings → Backups lists them), or of a vault file.'}
          </span>
        </div>
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Restoring…' : 'Restore'}
        </button>
        <button type="button" className="wide" disabled={busy} onClick={onCancel}>
          Create a new vault instead
        </button>
        <p className="path" title="Vault file">
          {path}
        </p>
      </form>
    </div>
  );
}

/** First run on another device, "Join a synced vault": the folder a sync tool shares (where
 * another device ran Settings → Sync or `keywright sync init`) and the vault's password;
 * Rust makes this device's vault from it and opens it. */
function JoinSynced({
  path,
  onJoined,
  onCancel,
}: {
  path: string;
  onJoined: (s: VaultStatus) => void;
  onCancel: () => void;
}) {
  const [folder, setFolder] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<{ field: 'folder' | 'password' | null; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    if (folder.trim() === '') {
      setError({ field: 'folder', text: 'Enter the full path of the folder your sync tool shares.' });
      return;
    }
    if (password === '') {
      setError({ field: 'password', text: 'Enter the vault’s master password.' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const s = await syncJoin(folder.trim(), password, name.trim() === '' ? null : name.trim());
      setPassword('');
      onJoined(s);
    } catch (err) {
      const ipc = toIpcError(err);
      const field = ipc.field === 'folder' || ipc.field === 'password' ? ipc.field : null;
      setError({ field, text: ipc.message });
      setBusy(false);
    }
  };

  const fieldMsg = (f: 'folder' | 'password', hint: string) => (
    <span
      id={`${id}-${f}-msg`}
      className={error?.field === f ? 'field-error' : 'field-hint'}
      role={error?.field === f ? 'alert' : undefined}
    >
      {error?.field === f ? error.text : hint}
    </span>
  );

  return (
    <div className="gate">
      <form className="gate-card" onSubmit={(e) => void submit(e)} noValidate>
        <div className="gate-brand">
          <BrandMark />
          <h1>Join a synced vault</h1>
        </div>
        <p className="muted">
          On a device that has the vault, turn on Settings → Sync with a folder your sync tool (Syncthing, Dropbox, a
          network share) shares. Once that folder is here, this device makes its own vault from it; it opens with the same
          master password.
        </p>
        {error !== null && error.field === null && (
          <p className="banner banner-error" role="alert">
            {error.text}
          </p>
        )}
        <div className="field">
          <label className="field-label" htmlFor={`${id}-folder`}>
            Sync folder
          </label>
          <input
            id={`${id}-folder`}
            type="text"
            autoFocus
            spellCheck={false}
            placeholder="/home/me/Sync/keywright"
            value={folder}
            disabled={busy}
            aria-invalid={error?.field === 'folder'}
            aria-describedby={`${id}-folder-msg`}
            onChange={(e) => {
              setFolder(e.target.value);
              setError(null);
            }}
          />
          {fieldMsg('folder', 'The full path of the shared folder on this device.')}
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-password`}>
            Master password
          </label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="current-password"
            value={password}
            disabled={busy}
            aria-invalid={error?.field === 'password'}
            aria-describedby={`${id}-password-msg`}
            onChange={(e) => {
              setPassword(e.target.value);
              setError(null);
            }}
          />
          {fieldMsg('password', 'The password of the vault on your other devices.')}
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-name`}>
            This device’s name (optional)
          </label>
          <input
            id={`${id}-name`}
            type="text"
            spellCheck={false}
            placeholder="desktop"
            value={name}
            disabled={busy}
            onChange={(e) => {
              setName(e.target.value);
            }}
          />
        </div>
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Joining…' : 'Join'}
        </button>
        <button type="button" className="wide" disabled={busy} onClick={onCancel}>
          Create a new vault instead
        </button>
        <p className="path" title="Vault file">
          {path}
        </p>
      </form>
    </div>
  );
}

/** The recovery code, shown once. The user must confirm they saved it. */
export function RecoveryCode({ created, onDone }: { created: CreatedVault; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  // What Copy or Save did (Rust holds the code for both until Continue).
  const [kept, setKept] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const groups = groupCode(created.recovery_code);

  const keep = async (how: 'copy' | 'save') => {
    setBusy(true);
    try {
      if (how === 'copy') {
        const c = await recoveryCopy();
        setKept({
          tone: 'ok',
          text:
            c.clear_after_s === null
              ? 'Copied. Paste it where you keep it safe.'
              : `Copied. Paste it where you keep it safe: the clipboard clears in ${String(c.clear_after_s)} s.`,
        });
      } else {
        const r = await recoverySave();
        setKept({
          tone: 'ok',
          text: `Saved to ${r.path} (only you can read it). Print it or move it to a USB key, then delete it from this computer.`,
        });
      }
    } catch (e) {
      setKept({ tone: 'error', text: toIpcError(e).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="gate">
      <div className="gate-card gate-card-wide">
        <div className="gate-brand">
          <BrandMark />
          <h1>Save your recovery code</h1>
        </div>
        <p>
          If you forget your master password, this code is the only way back into the vault.
          Write it down and keep it somewhere safe. <strong>It will not be shown again.</strong>
        </p>
        <div className="recovery" data-testid="recovery-code" aria-label="Recovery code">
          {groups.map((g, i) => (
            <code key={i}>{g}</code>
          ))}
        </div>
        <div className="recovery-actions">
          <button type="button" data-testid="recovery-copy" disabled={busy} onClick={() => void keep('copy')}>
            Copy
          </button>
          <button type="button" data-testid="recovery-save" disabled={busy} onClick={() => void keep('save')}>
            Save to file
          </button>
          <span className="field-hint">
            Save writes keywright-recovery-&lt;date&gt;.txt to your Documents folder (or your home folder); only you can
            read it.
          </span>
        </div>
        {kept !== null && (
          <p
            className={`banner ${kept.tone === 'ok' ? 'banner-ok' : 'banner-error'}`}
            role={kept.tone === 'ok' ? 'status' : 'alert'}
            data-testid="recovery-kept"
          >
            {kept.text}
          </p>
        )}
        {created.keyring_notice !== null && (
          <p className="banner banner-warn" role="status">
            The system keyring could not be used: {created.keyring_notice} You will unlock with
            your password.
          </p>
        )}
        {created.keyring_enabled && (
          <p className="muted small">The vault also opens with your system keyring.</p>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={saved}
            onChange={(e) => {
              setSaved(e.target.checked);
            }}
          />
          <span>I have saved my recovery code</span>
        </label>
        <button
          type="button"
          className="primary wide"
          disabled={!saved}
          onClick={() => {
            // Rust forgets the code now; the screen goes with it.
            void recoveryForget().catch(() => undefined);
            onDone();
          }}
        >
          Continue to the vault
        </button>
      </div>
    </div>
  );
}
