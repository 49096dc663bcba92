// The recovery code in the app: Copy and Save at first run (through Rust), and "Forgot
// password?" on the unlock screen, against the fake backend (src/test/backend.ts).
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { backendError, fakeBackend, RECOVERY_CODE } from './test/backend';

type User = ReturnType<typeof userEvent.setup>;

async function createVault(user: User) {
  render(<App />);
  await user.type(await screen.findByLabelText('Master password'), 'correct horse battery staple');
  await user.type(screen.getByLabelText('Confirm password'), 'correct horse battery staple');
  await user.click(screen.getByRole('button', { name: 'Create vault' }));
  await screen.findByRole('heading', { name: 'Save your recovery code' });
}

describe('first run: keeping the recovery code', () => {
  it('copies and saves through Rust, then Rust forgets the code on Continue', async () => {
    const be = fakeBackend({ state: 'none' });
    const user = userEvent.setup();
    await createVault(user);

    await user.click(screen.getByTestId('recovery-copy'));
    expect((await screen.findByTestId('recovery-kept')).textContent).toBe(
      'Copied. Paste it where you keep it safe: the clipboard clears in 30 s.',
    );
    // Rust copies the code it holds: the window sends nothing.
    expect(be.callsOf('recovery_copy')).toEqual([{ cmd: 'recovery_copy', args: {} }]);

    await user.click(screen.getByTestId('recovery-save'));
    await waitFor(() => {
      expect(screen.getByTestId('recovery-kept').textContent).toMatch(
        /^Saved to \/home\/dev\/Documents\/keywright-recovery-2026-05-01\.txt \(only you can read it\)\./,
      );
    });
    expect(be.callsOf('recovery_save')).toHaveLength(1);
    expect(be.callsOf('recovery_forget')).toHaveLength(0);

    await user.click(screen.getByLabelText('I have saved my recovery code'));
    await user.click(screen.getByRole('button', { name: 'Continue to the vault' }));
    await screen.findByRole('button', { name: 'Add your first credential' });
    expect(be.callsOf('recovery_forget')).toHaveLength(1);
  });

  it('says why a save failed', async () => {
    fakeBackend({
      state: 'none',
      on: {
        recovery_save: () =>
          backendError('io', 'The recovery code could not be saved in /home/dev/Documents: permission denied. Copy it or write it down instead.'),
      },
    });
    const user = userEvent.setup();
    await createVault(user);
    await user.click(screen.getByTestId('recovery-save'));
    const alert = await screen.findByTestId('recovery-kept');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('permission denied. Copy it or write it down instead.');
  });
});

describe('unlock: forgot password', () => {
  async function openRecovery(user: User) {
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Forgot password? Use recovery code' }));
    await screen.findByRole('heading', { name: 'Use your recovery code' });
  }

  it('checks the form as typed and re-checks on input', async () => {
    const be = fakeBackend({ state: 'locked' });
    const user = userEvent.setup();
    await openRecovery(user);
    await user.type(screen.getByLabelText('Recovery code'), 'ABCD-EFGH');
    await user.type(screen.getByLabelText('New master password'), 'short');
    await user.type(screen.getByLabelText('Confirm new password'), 'other');
    await user.click(screen.getByRole('button', { name: 'Unlock and set the new password' }));
    expect(screen.getByText('A recovery code has 32 letters and digits (8 groups of 4); this has 8.')).toBeTruthy();
    expect(screen.getByText('Use at least 8 characters.')).toBeTruthy();
    expect(screen.getByText('The passwords do not match.')).toBeTruthy();
    expect(be.callsOf('vault_recover')).toHaveLength(0);

    // Each message goes as soon as its input is right.
    await user.clear(screen.getByLabelText('New master password'));
    await user.type(screen.getByLabelText('New master password'), 'a new long password');
    expect(screen.queryByText('Use at least 8 characters.')).toBeNull();
    expect(screen.getByText('The passwords do not match.')).toBeTruthy();
    await user.clear(screen.getByLabelText('Confirm new password'));
    await user.type(screen.getByLabelText('Confirm new password'), 'a new long password');
    expect(screen.queryByText('The passwords do not match.')).toBeNull();
    expect(screen.getByLabelText('Recovery code').getAttribute('aria-invalid')).toBe('true');
  });

  it('names a wrong code, then unlocks with the right one and sends the new password', async () => {
    const be = fakeBackend({ state: 'locked' });
    const user = userEvent.setup();
    await openRecovery(user);
    const codeInput = screen.getByLabelText('Recovery code');
    await user.type(codeInput, 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH');
    await user.type(screen.getByLabelText('New master password'), 'a new long password');
    await user.type(screen.getByLabelText('Confirm new password'), 'a new long password');
    await user.click(screen.getByRole('button', { name: 'Unlock and set the new password' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'That recovery code does not open this vault. Check it against the one you saved.',
    );
    expect(codeInput.getAttribute('aria-invalid')).toBe('true');
    // Typing in the code drops Rust's verdict about the old one.
    await user.clear(codeInput);
    expect(screen.queryByText(/does not open this vault/)).toBeNull();
    await user.type(codeInput, RECOVERY_CODE.toLowerCase());
    await user.click(screen.getByRole('button', { name: 'Unlock and set the new password' }));
    expect(await screen.findByRole('listbox', { name: 'All items' })).toBeTruthy();
    expect(be.callsOf('vault_recover').at(-1)?.args).toEqual({
      recovery_code: RECOVERY_CODE.toLowerCase(),
      new_password: 'a new long password',
    });
  });

  it('goes back to the password form', async () => {
    fakeBackend({ state: 'locked' });
    const user = userEvent.setup();
    await openRecovery(user);
    await user.click(screen.getByRole('button', { name: 'Back to the password' }));
    expect(await screen.findByRole('heading', { name: 'Unlock Keywright' })).toBeTruthy();
  });
});
