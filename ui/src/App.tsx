import { useCallback, useEffect, useRef, useState } from 'react';
import { CreateVault, RecoveryCode } from './components/CreateVault';
import { MainView } from './components/MainView';
import { Unlock } from './components/Unlock';
import {
  type CreatedVault,
  type IpcError,
  onVaultLocked,
  type SettingsView,
  toIpcError,
  vaultStatus,
  type VaultStatus,
} from './lib/ipc';

type Phase =
  | { p: 'loading' }
  | { p: 'failed'; error: IpcError }
  | { p: 'none'; status: VaultStatus }
  | { p: 'recovery'; created: CreatedVault }
  | { p: 'locked'; status: VaultStatus; note: string | null }
  | { p: 'unlocked'; status: VaultStatus };

function phaseOf(status: VaultStatus, note: string | null = null): Phase {
  switch (status.state) {
    case 'none':
      return { p: 'none', status };
    case 'locked':
      return { p: 'locked', status, note };
    case 'unlocked':
      return { p: 'unlocked', status };
  }
}

export function idleNote(minutes: number | null): string {
  if (minutes === null || minutes <= 0) return 'Locked after a period of inactivity';
  return `Locked after ${String(minutes)} ${minutes === 1 ? 'minute' : 'minutes'} of inactivity`;
}

export function App() {
  const [phase, setPhase] = useState<Phase>({ p: 'loading' });
  const autoLock = useRef<number | null>(null);

  const refresh = useCallback(async (note: string | null = null) => {
    try {
      setPhase(phaseOf(await vaultStatus(), note));
    } catch (e) {
      setPhase({ p: 'failed', error: toIpcError(e) });
    }
  }, []);

  useEffect(() => {
    let live = true;
    vaultStatus().then(
      (s) => {
        if (live) setPhase(phaseOf(s));
      },
      (e: unknown) => {
        if (live) setPhase({ p: 'failed', error: toIpcError(e) });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  // Rust locked the vault by itself: drop everything on screen (revealed secrets live in
  // the main view, which unmounts) and ask for the password again.
  useEffect(
    () =>
      onVaultLocked((reason) => {
        const note = reason === 'idle' ? idleNote(autoLock.current) : 'The vault was locked.';
        setPhase((prev) => {
          if (prev.p !== 'unlocked') return prev;
          return { p: 'locked', status: { ...prev.status, state: 'locked', item_count: null }, note };
        });
      }),
    [],
  );

  const onLocked = useCallback(
    (s: VaultStatus | null) => {
      if (s) setPhase(phaseOf(s));
      else void refresh('The vault was locked.');
    },
    [refresh],
  );

  const onSettings = useCallback((s: SettingsView) => {
    autoLock.current = s.auto_lock_minutes;
  }, []);

  switch (phase.p) {
    case 'loading':
      return (
        <div className="gate">
          <p className="muted" role="status">
            Opening the vault…
          </p>
        </div>
      );
    case 'failed':
      return (
        <div className="gate">
          <div className="gate-card">
            <h1>The vault cannot be opened</h1>
            <p className="banner banner-error" role="alert">
              {phase.error.message}
            </p>
            <button type="button" className="wide" onClick={() => void refresh()}>
              Try again
            </button>
          </div>
        </div>
      );
    case 'none':
      return (
        <CreateVault
          path={phase.status.path}
          onCreated={(created) => {
            setPhase({ p: 'recovery', created });
          }}
          onRestored={(s) => {
            setPhase(
              phaseOf(s, 'Restored from the backup. Unlock it with the master password it had when the backup was taken.'),
            );
          }}
          onJoined={(s) => {
            setPhase(phaseOf(s));
          }}
        />
      );
    case 'recovery':
      return (
        <RecoveryCode
          created={phase.created}
          onDone={() => {
            setPhase(phaseOf(phase.created.status));
          }}
        />
      );
    case 'locked':
      return (
        <Unlock
          status={phase.status}
          note={phase.note}
          onUnlocked={(s) => {
            setPhase(phaseOf(s));
          }}
        />
      );
    case 'unlocked':
      return <MainView status={phase.status} onLocked={onLocked} onSettings={onSettings} />;
  }
}
