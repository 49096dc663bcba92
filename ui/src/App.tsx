import { useCallback, useEffect, useState } from 'react';
import { BrandMark } from './components/BrandMark';
import { NoVault } from './components/NoVault';
import { StatusCard } from './components/StatusCard';
import { UnlockForm } from './components/UnlockForm';
import { UnlockedPanel } from './components/UnlockedPanel';
import { type IpcError, toIpcError, vaultStatus, type VaultStatus } from './lib/ipc';

type Load =
  | { phase: 'loading' }
  | { phase: 'ready'; status: VaultStatus }
  | { phase: 'failed'; error: IpcError };

export function App() {
  const [load, setLoad] = useState<Load>({ phase: 'loading' });

  const refresh = useCallback(async () => {
    try {
      setLoad({ phase: 'ready', status: await vaultStatus() });
    } catch (e) {
      setLoad({ phase: 'failed', error: toIpcError(e) });
    }
  }, []);

  useEffect(() => {
    let live = true;
    vaultStatus().then(
      (status) => {
        if (live) setLoad({ phase: 'ready', status });
      },
      (e: unknown) => {
        if (live) setLoad({ phase: 'failed', error: toIpcError(e) });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const show = (status: VaultStatus) => {
    setLoad({ phase: 'ready', status });
  };

  return (
    <div className="app">
      <header className="app-header">
        <BrandMark />
        <h1>Keywright</h1>
      </header>
      <main className="app-main">
        {load.phase === 'loading' && (
          <p className="muted" role="status">
            Opening the vault…
          </p>
        )}
        {load.phase === 'failed' && (
          <section className="card" aria-labelledby="load-error-title">
            <h2 id="load-error-title">The vault cannot be opened</h2>
            <p className="error" role="alert">
              {load.error.message}
            </p>
            <button type="button" onClick={() => void refresh()}>
              Try again
            </button>
          </section>
        )}
        {load.phase === 'ready' && (
          <StatusCard status={load.status}>
            {load.status.state === 'none' && <NoVault onRecheck={refresh} />}
            {load.status.state === 'locked' && (
              <UnlockForm hasKeyring={load.status.hasKeyring} onUnlocked={show} />
            )}
            {load.status.state === 'unlocked' && (
              <UnlockedPanel itemCount={load.status.itemCount ?? 0} onLocked={show} />
            )}
          </StatusCard>
        )}
      </main>
    </div>
  );
}
