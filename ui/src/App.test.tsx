import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import type { VaultStatus } from './lib/ipc';

const PATH = '/home/dev/.local/share/keywright/vault.db';

function status(over: Partial<VaultStatus>): VaultStatus {
  return { state: 'locked', path: PATH, itemCount: null, hasKeyring: false, ...over };
}

/**
 * What a failed command rejects with in the real app: the serialised IpcError, a plain
 * object (not an Error), so the mocks throw exactly that.
 */
function backendError(kind: string, message: string): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw { kind, message };
}

/** Backend whose vault_status answers `s`; records every call. */
function backend(s: VaultStatus, extra?: (cmd: string, args: unknown) => unknown) {
  const calls: { cmd: string; args: unknown }[] = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    if (cmd === 'vault_status') return s;
    if (extra) return extra(cmd, args);
    throw new Error(`unexpected command ${cmd}`);
  });
  return calls;
}

describe('status screen', () => {
  it('says there is no vault yet and how to create one', async () => {
    backend(status({ state: 'none' }));
    render(<App />);
    expect(await screen.findByText(/No vault yet — create one with/)).toBeTruthy();
    expect(screen.getByText('keywright init')).toBeTruthy();
    expect(screen.getByTestId('vault-state').textContent).toBe('No vault');
    expect(screen.getByText(PATH)).toBeTruthy();
    expect(screen.queryByLabelText('Master password')).toBeNull();
  });

  it('asks for the password when locked, without a keyring button if there is no slot', async () => {
    backend(status({ state: 'locked' }));
    render(<App />);
    expect(await screen.findByLabelText('Master password')).toBeTruthy();
    expect(screen.getByTestId('vault-state').textContent).toBe('Locked');
    expect(screen.getByRole('button', { name: 'Unlock' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Unlock with system keyring' })).toBeNull();
  });

  it('offers the system keyring when the vault has a keyring slot', async () => {
    backend(status({ state: 'locked', hasKeyring: true }));
    render(<App />);
    expect(await screen.findByRole('button', { name: 'Unlock with system keyring' })).toBeTruthy();
  });

  it('shows the item count and a Lock button when unlocked', async () => {
    backend(status({ state: 'unlocked', itemCount: 7 }));
    render(<App />);
    expect(await screen.findByText('Unlocked — 7 items')).toBeTruthy();
    expect(screen.getByTestId('vault-state').textContent).toBe('Unlocked');
    expect(screen.getByRole('button', { name: 'Lock' })).toBeTruthy();
  });

  it('shows why the vault cannot be opened', async () => {
    mockIPC(() => {
      backendError('corrupt', 'the vault file is damaged or is not a Keywright vault');
    });
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'the vault file is damaged or is not a Keywright vault',
    );
  });
});

describe('unlocking', () => {
  it('shows the backend message for a wrong password and keeps the form', async () => {
    const calls = backend(status({ state: 'locked' }), (cmd) => {
      if (cmd === 'vault_unlock') {
        backendError('wrong_password', 'wrong password (the vault was not changed)');
      }
      return undefined;
    });
    const user = userEvent.setup();
    render(<App />);
    await user.type(await screen.findByLabelText('Master password'), 'not it');
    await user.click(screen.getByRole('button', { name: 'Unlock' }));

    expect((await screen.findByRole('alert')).textContent).toBe(
      'wrong password (the vault was not changed)',
    );
    expect(screen.getByLabelText('Master password').getAttribute('aria-invalid')).toBe('true');
    expect(calls.find((c) => c.cmd === 'vault_unlock')?.args).toEqual({ password: 'not it' });
  });

  it('moves to the unlocked screen, then back when locked', async () => {
    backend(status({ state: 'locked' }), (cmd) => {
      if (cmd === 'vault_unlock') return status({ state: 'unlocked', itemCount: 1 });
      if (cmd === 'vault_lock') return status({ state: 'locked' });
      return undefined;
    });
    const user = userEvent.setup();
    render(<App />);
    await user.type(await screen.findByLabelText('Master password'), 'pw{Enter}');
    expect(await screen.findByText('Unlocked — 1 item')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Lock' }));
    expect(await screen.findByLabelText('Master password')).toBeTruthy();
  });

  it('falls back to the password when the keyring fails', async () => {
    backend(status({ state: 'locked', hasKeyring: true }), () => {
      backendError('keyring_unavailable', 'the system keyring is unavailable: no provider');
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Unlock with system keyring' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'the system keyring is unavailable: no provider Unlock with your password instead.',
    );
    expect(document.activeElement).toBe(screen.getByLabelText('Master password'));
  });
});
