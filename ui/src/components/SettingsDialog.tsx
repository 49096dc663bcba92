import { type SubmitEvent, useEffect, useId, useState } from 'react';
import {
  keyringSet,
  type SettingsView,
  appAbout,
  settingsGet,
  settingsSet,
  type SyncState,
  toIpcError,
  vaultChangePassword,
} from '../lib/ipc';
import type { About } from '../bindings/About';
import { BackupsSection } from './BackupsSection';
import { Dialog } from './Dialog';
import { StrengthMeter } from './CreateVault';
import { SyncSection } from './SyncSection';
import { newPasswordErrors } from '../lib/password';

const AUTO_LOCK: readonly (readonly [number, string])[] = [
  [1, '1 minute'],
  [5, '5 minutes'],
  [10, '10 minutes'],
  [15, '15 minutes'],
  [30, '30 minutes'],
  [60, '1 hour'],
  [0, 'Never'],
];

const CLIPBOARD: readonly (readonly [number, string])[] = [
  [10, '10 seconds'],
  [30, '30 seconds'],
  [60, '1 minute'],
  [90, '90 seconds'],
  [0, 'Never'],
];

/** Adds the stored value to the choices when it is not one of them (set by the CLI). */
function withCurrent(list: readonly (readonly [number, string])[], v: number, unit: string) {
  return list.some(([n]) => n === v) ? list : [...list, [v, `${String(v)} ${unit}`] as const];
}

interface Props {
  onClose: () => void;
  onChanged: (s: SettingsView) => void;
  /** Settings → Sync changed the sync (started it, synced, removed a device). */
  onSyncState?: (s: SyncState) => void;
  /** Settings → Sync's "Sync now" is running (true) or done (false). */
  onSyncing?: (busy: boolean) => void;
}

export function SettingsDialog({ onClose, onChanged, onSyncState, onSyncing }: Props) {
  const [view, setView] = useState<SettingsView | null>(null);
  const [about, setAbout] = useState<About | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [keyringNotice, setKeyringNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pwDirty, setPwDirty] = useState(false);
  const uid = useId();

  useEffect(() => {
    let live = true;
    settingsGet().then(
      (v) => {
        if (live) setView(v);
      },
      (e: unknown) => {
        if (live) setError(toIpcError(e).message);
      },
    );
    // What is shown about this build; nothing when it cannot be read.
    appAbout().then(
      (a) => {
        if (live) setAbout(a);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);

  const save = async (auto_lock_minutes: number, clipboard_clear_seconds: number) => {
    setError(null);
    setSaved(null);
    try {
      const v = await settingsSet({ auto_lock_minutes, clipboard_clear_seconds });
      setView(v);
      onChanged(v);
      setSaved('Saved.');
    } catch (e) {
      setError(toIpcError(e).message);
    }
  };

  const toggleKeyring = async (enabled: boolean) => {
    if (!view) return;
    setBusy(true);
    setError(null);
    setKeyringNotice(null);
    try {
      const change = await keyringSet(enabled);
      setView({ ...view, keyring_enabled: change.enabled });
      setKeyringNotice(change.notice);
    } catch (e) {
      setError(toIpcError(e).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Settings" onClose={onClose} dirty={pwDirty}>
      <div className="dialog-body settings">
        {error !== null && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}
        {!view ? (
          <p className="muted">Loading…</p>
        ) : (
          <>
            <section>
              <h3>Security</h3>
              <div className="form-pair">
                <div className="field">
                  <label className="field-label" htmlFor={`${uid}-lock`}>
                    Lock after inactivity
                  </label>
                  <select
                    id={`${uid}-lock`}
                    data-autofocus=""
                    value={view.auto_lock_minutes}
                    onChange={(e) => void save(Number(e.target.value), view.clipboard_clear_seconds)}
                  >
                    {withCurrent(AUTO_LOCK, view.auto_lock_minutes, 'minutes').map(([v, l]) => (
                      <option key={v} value={v}>
                        {l}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label className="field-label" htmlFor={`${uid}-clip`}>
                    Clear copied secrets after
                  </label>
                  <select
                    id={`${uid}-clip`}
                    value={view.clipboard_clear_seconds}
                    onChange={(e) => void save(view.auto_lock_minutes, Number(e.target.value))}
                  >
                    {withCurrent(CLIPBOARD, view.clipboard_clear_seconds, 'seconds').map(([v, l]) => (
                      <option key={v} value={v}>
                        {l}
                      </option>
                    ))}
                  </select>
                </div>
              </div>
              {saved !== null && (
                <p className="field-hint" role="status">
                  {saved}
                </p>
              )}
              <div>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={view.keyring_enabled}
                    disabled={busy}
                    aria-describedby={`${uid}-keyring`}
                    onChange={(e) => void toggleKeyring(e.target.checked)}
                  />
                  <span>Unlock with the system keyring</span>
                </label>
                <span id={`${uid}-keyring`} className="field-hint check-hint">
                  Keeps a key in your OS keyring so the vault opens without the password while you are
                  logged in.
                </span>
              </div>
              {keyringNotice !== null && (
                <p className="banner banner-warn" role="status">
                  {keyringNotice}
                </p>
              )}
            </section>
            <ChangePassword onDirty={setPwDirty} />
            <BackupsSection />
            <SyncSection onState={onSyncState} onSyncing={onSyncing} />
            <section>
              <h3>Vault file</h3>
              <p className="path">{view.path}</p>
            </section>
            {about !== null && (
              <section data-testid="about">
                <h3>About</h3>
                <p>
                  Keywright {about.version} · commit <code>{about.commit}</code>
                </p>
              </section>
            )}
          </>
        )}
      </div>
    </Dialog>
  );
}

type PwKey = 'current_password' | 'new_password' | 'confirm';

/** `onDirty`: whether a password is typed (closing Settings then asks first). */
function ChangePassword({ onDirty }: { onDirty: (dirty: boolean) => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  /** What Rust said; a message goes when its input changes. */
  const [server, setServer] = useState<Partial<Record<PwKey | 'form', string>>>({});
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const uid = useId();

  useEffect(() => {
    onDirty(current !== '' || next !== '' || confirm !== '');
  }, [current, next, confirm, onDirty]);

  // Re-checked on every change: a message that no longer applies goes at once.
  const live = newPasswordErrors(next, confirm, submitted);
  const errors: Partial<Record<PwKey | 'form', string | undefined>> = {
    current_password: server.current_password ?? (submitted && current === '' ? 'Enter your current password.' : undefined),
    new_password: server.new_password ?? live.password,
    confirm: live.confirm,
    form: server.form,
  };

  const submit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    setSubmitted(true);
    setServer({});
    setDone(false);
    const found = newPasswordErrors(next, confirm, true);
    if (current === '' || found.password !== undefined || found.confirm !== undefined) return;
    setBusy(true);
    try {
      await vaultChangePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setSubmitted(false);
      setDone(true);
    } catch (err) {
      const ipc = toIpcError(err);
      if (ipc.kind === 'wrong_password') {
        setServer({ current_password: 'Wrong password. Enter the password that unlocks this vault now.' });
      } else if (ipc.field === 'current_password' || ipc.field === 'new_password') {
        setServer({ [ipc.field]: ipc.message });
      } else setServer({ form: ipc.message });
    } finally {
      setBusy(false);
    }
  };

  const input = (
    key: PwKey,
    label: string,
    value: string,
    setValue: (v: string) => void,
  ) => {
    const id = `${uid}-${key}`;
    const err = errors[key];
    return (
      <div className="field">
        <label className="field-label" htmlFor={id}>
          {label}
        </label>
        <input
          id={id}
          type="password"
          autoComplete={key === 'current_password' ? 'current-password' : 'new-password'}
          value={value}
          aria-invalid={err !== undefined}
          aria-describedby={err !== undefined ? `${id}-msg` : undefined}
          onChange={(e) => {
            setValue(e.target.value);
            setDone(false);
            setServer((s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== key && k !== 'form')));
          }}
        />
        {key === 'new_password' && <StrengthMeter password={value} />}
        {err !== undefined && (
          <span id={`${id}-msg`} className="field-error" role="alert">
            {err}
          </span>
        )}
      </div>
    );
  };

  return (
    <section>
      <h3>Change master password</h3>
      <form onSubmit={(e) => void submit(e)} noValidate className="change-password">
        {errors.form !== undefined && (
          <p className="banner banner-error" role="alert">
            {errors.form}
          </p>
        )}
        {input('current_password', 'Current password', current, setCurrent)}
        <div className="form-pair">
          {input('new_password', 'New password', next, setNext)}
          {input('confirm', 'Confirm new password', confirm, setConfirm)}
        </div>
        <div className="row-end">
          {done && (
            <span className="ok-text" role="status">
              Password changed.
            </span>
          )}
          <button type="submit" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
