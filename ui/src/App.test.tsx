import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { backendError, fakeBackend, item, PATH } from './test/backend';

async function openMain() {
  render(<App />);
  return screen.findByRole('listbox', { name: 'All items' });
}

function detail() {
  return screen.getByTestId('detail');
}

async function select(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.click(screen.getByRole('option', { name: new RegExp(`^${name}`) }));
  // The loaded pane (not the header shown from the list row while it loads).
  await waitFor(() => {
    expect(within(detail()).getByRole('heading', { level: 2 }).textContent).toBe(name);
  });
}

function rowNames(): string[] {
  return screen.queryAllByRole('option').map((o) => o.querySelector('.row-name')?.textContent ?? '');
}

describe('first run', () => {
  it('creates the vault, shows the recovery code once, then the empty vault', async () => {
    const be = fakeBackend({ state: 'none' });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole('heading', { name: 'Create your Keywright vault' });
    expect(screen.getByText(PATH)).toBeTruthy();

    // Too short and mismatched: refused before anything is sent.
    await user.type(screen.getByLabelText('Master password'), 'short');
    await user.type(screen.getByLabelText('Confirm password'), 'other');
    await user.click(screen.getByRole('button', { name: 'Create vault' }));
    expect(screen.getByText('Use at least 8 characters.')).toBeTruthy();
    expect(screen.getByText('The passwords do not match.')).toBeTruthy();
    expect(be.callsOf('vault_create')).toHaveLength(0);

    await user.clear(screen.getByLabelText('Master password'));
    await user.type(screen.getByLabelText('Master password'), 'correct horse battery staple');
    expect(screen.getByTestId('strength').textContent).toMatch(/^(Good|Strong)/);
    await user.clear(screen.getByLabelText('Confirm password'));
    await user.type(screen.getByLabelText('Confirm password'), 'correct horse battery staple');
    expect(screen.getByLabelText<HTMLInputElement>('Unlock with the system keyring').checked).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Create vault' }));

    await screen.findByRole('heading', { name: 'Save your recovery code' });
    expect(be.callsOf('vault_create')[0]?.args).toEqual({ password: 'correct horse battery staple', keyring: true });
    const code = screen.getByTestId('recovery-code');
    expect([...code.querySelectorAll('code')].map((c) => c.textContent)).toEqual([
      'ABCD', 'EFGH', 'JKLM', 'NPQR', 'STUV', 'WXYZ', '2345', '6789',
    ]);
    const cont = screen.getByRole('button', { name: 'Continue to the vault' });
    expect((cont as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByLabelText('I have saved my recovery code'));
    await user.click(cont);

    expect(await screen.findByRole('button', { name: 'Add your first credential' })).toBeTruthy();
    expect(screen.queryByTestId('recovery-code')).toBeNull();
  });

  it('shows why the keyring slot could not be added', async () => {
    fakeBackend({
      state: 'none',
      on: {
        vault_create: () => ({
          status: { state: 'unlocked', path: PATH, item_count: 0, has_keyring: false },
          recovery_code: 'AAAA-BBBB',
          keyring_enabled: false,
          keyring_notice: 'no Secret Service provider on the session bus.',
        }),
      },
    });
    const user = userEvent.setup();
    render(<App />);
    await user.type(await screen.findByLabelText('Master password'), 'long enough pw');
    await user.type(screen.getByLabelText('Confirm password'), 'long enough pw');
    await user.click(screen.getByRole('button', { name: 'Create vault' }));
    expect((await screen.findByRole('status')).textContent).toContain('no Secret Service provider on the session bus.');
  });
});

describe('unlock', () => {
  it('says "Wrong password" and keeps the form', async () => {
    const be = fakeBackend({ state: 'locked' });
    const user = userEvent.setup();
    render(<App />);
    const pw = await screen.findByLabelText('Master password');
    expect(document.activeElement).toBe(pw);
    expect(screen.getByText(PATH)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Unlock with system keyring' })).toBeNull();
    await user.type(pw, 'not it{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong password');
    expect(pw.getAttribute('aria-invalid')).toBe('true');
    expect(be.callsOf('vault_unlock')[0]?.args).toEqual({ password: 'not it' });

    await user.clear(pw);
    await user.type(pw, 'right password{Enter}');
    expect(await screen.findByRole('listbox', { name: 'All items' })).toBeTruthy();
  });

  it('shows the keyring error and falls back to the password', async () => {
    fakeBackend({
      state: 'locked',
      hasKeyring: true,
      on: { vault_unlock_keyring: () => backendError('keyring_unavailable', 'the system keyring is locked.') },
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Unlock with system keyring' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'the system keyring is locked. Unlock with your password instead.',
    );
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByLabelText('Master password'));
    });
  });
});

describe('main window', () => {
  it('lists items with counts per kind, tag and status, and a damaged-item banner', async () => {
    fakeBackend({ damaged: [{ id: 'x1', reason: 'tampered' }, { id: 'x2', reason: 'tampered' }] });
    await openMain();
    expect(screen.getByTestId('result-count').textContent).toBe('6 items');
    const nav = screen.getByRole('navigation', { name: 'Views' });
    expect(within(nav).getByRole('button', { name: /^API keys/ }).textContent).toContain('2');
    // The filter is called what it shows: expired and expiring items, due rotations, logins.
    expect(within(nav).getByRole('button', { name: /^Needs attention/ }).textContent).toContain('3');
    expect(within(nav).queryByRole('button', { name: /^Expiring/ })).toBeNull();
    expect(within(nav).getByRole('button', { name: /^payments/ }).textContent).toContain('2');
    // 2FA codes counts the TOTP items; Timeline and Requests open their views.
    expect(within(nav).getByRole('button', { name: /^2FA codes/ }).textContent).toContain('1');
    const tl = within(nav).getByRole('button', { name: /^Timeline/ });
    expect(tl.hasAttribute('disabled')).toBe(false);
    expect(within(nav).getByRole('button', { name: /^Requests/ }).hasAttribute('disabled')).toBe(false);
    expect(screen.getByText('2 items failed their integrity check')).toBeTruthy();
    // Status badges carry text, not colour alone.
    expect(screen.getByRole('option', { name: /GitHub deploy token/ }).textContent).toContain('Expiring');
  });

  it('shows the vault-wide warnings above the list (items removed outside Keywright)', async () => {
    const warning =
      '1 item(s) were removed outside Keywright (the vault\'s sealed count is 7, the file holds 6); restore a backup to get them back';
    fakeBackend({ warnings: [warning] });
    await openMain();
    const alerts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(alerts).toContain(warning);
  });

  it('lists again when the window regains focus (items changed by the CLI)', async () => {
    const backend = fakeBackend();
    await openMain();
    expect(rowNames()).not.toContain('Added by the CLI');
    const added = item({ name: 'Added by the CLI' });
    backend.items.set(added.detail.id, added);
    await act(async () => {
      window.dispatchEvent(new Event('focus'));
      await Promise.resolve();
    });
    await waitFor(() => {
      expect(rowNames()).toContain('Added by the CLI');
    });
  });

  it('filters by sidebar entry', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('button', { name: /^Needs attention/ }));
    expect(screen.getByRole('heading', { name: 'Needs attention' })).toBeTruthy();
    expect(rowNames()).toEqual(['Auth0 machine client', 'AWS root MFA', 'GitHub deploy token']);
    await user.click(screen.getByRole('button', { name: /^prod/ }));
    expect(rowNames()).toEqual(['Grafana admin', 'Stripe production']);
  });

  it('searches as you type: every word must match name, tags, url, username, issuer or kind', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    const search = screen.getByRole('searchbox', { name: 'Search items' });
    await user.type(search, 'stripe');
    expect(rowNames()).toEqual(['Stripe production', 'Stripe staging']);
    await user.type(search, ' prod');
    expect(rowNames()).toEqual(['Stripe production']);
    expect(screen.getByTestId('result-count').textContent).toBe('1 item');
    await user.clear(search);
    await user.type(search, 'amazon');
    expect(rowNames()).toEqual(['AWS root MFA']);
    await user.clear(search);
    await user.type(search, 'ADMIN basic');
    expect(rowNames()).toEqual(['Grafana admin']);
    await user.clear(search);
    await user.type(search, 'nothing like this');
    expect(rowNames()).toEqual([]);
    expect(screen.getByText('No items match “nothing like this”')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Clear search' }));
    expect(rowNames()).toHaveLength(6);
  });

  it('renders only the visible rows of a big list', async () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      item({ name: `Key ${String(i).padStart(5, '0')}` }),
    );
    fakeBackend({ items: many });
    await openMain();
    expect(screen.getByTestId('result-count').textContent).toBe('5,000 items');
    const rendered = screen.getAllByRole('option').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
  });
});

describe('detail', () => {
  it('shows fields and status, and reveals then forgets a secret', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await select(user, 'Stripe production');
    const d = detail();
    expect(within(d).getByText('https://api.stripe.com')).toBeTruthy();
    expect(within(d).getByText('Header X-API-Key')).toBeTruthy();
    expect(within(d).getByTestId('secret-value').textContent).toMatch(/^•+$/);
    expect(within(d).queryByText('sk_live_abc123')).toBeNull();

    await user.click(within(d).getByRole('button', { name: 'Reveal API key' }));
    expect(await within(d).findByText('sk_live_abc123')).toBeTruthy();
    expect(be.callsOf('item_reveal').map((c) => c.args)).toEqual([{ id: 'id-1', field: 'value' }]);

    await user.click(within(d).getByRole('button', { name: 'Hide API key' }));
    expect(within(d).queryByText('sk_live_abc123')).toBeNull();
    // Forgotten: showing it again asks Rust again.
    await user.click(within(d).getByRole('button', { name: 'Reveal API key' }));
    await within(detail()).findByText('sk_live_abc123');
    expect(be.callsOf('item_reveal')).toHaveLength(2);

    // Selecting another item forgets it too.
    await select(user, 'Stripe staging');
    await select(user, 'Stripe production');
    expect(screen.queryByText('sk_live_abc123')).toBeNull();
  });

  it('labels the secret per kind and shows expiry in words', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await select(user, 'GitHub deploy token');
    expect(within(detail()).getByRole('button', { name: 'Reveal Token' })).toBeTruthy();
    expect(within(detail()).getByTestId('status-line').textContent).toBe('expires in 3 days');
    await select(user, 'Auth0 machine client');
    expect(within(detail()).getByRole('button', { name: 'Copy Client secret' })).toBeTruthy();
    expect(within(detail()).getByRole('button', { name: 'Copy Refresh token' })).toBeTruthy();
    expect(within(detail()).queryByRole('button', { name: 'Copy Access token' })).toBeNull();
    expect(within(detail()).getByTestId('status-line').textContent).toBe('expired 2 days ago');
    await select(user, 'Grafana admin');
    expect(within(detail()).getByRole('button', { name: 'Reveal Password' })).toBeTruthy();
    await select(user, 'AWS root MFA');
    expect(within(detail()).getByRole('button', { name: 'Reveal Secret' })).toBeTruthy();
    expect(within(detail()).getByText('Rotation due')).toBeTruthy();
  });

  it('shows notes only on demand', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await select(user, 'Stripe production');
    expect(screen.queryByText('rotate in the dashboard')).toBeNull();
    await user.click(within(detail()).getByRole('button', { name: 'Show' }));
    expect(await screen.findByText('rotate in the dashboard')).toBeTruthy();
    await user.click(within(detail()).getByRole('button', { name: 'Hide' }));
    expect(screen.queryByText('rotate in the dashboard')).toBeNull();
  });

  it('copies through Rust: a countdown toast, and the value never comes to the window', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await select(user, 'Stripe production');
    await user.click(within(detail()).getByRole('button', { name: 'Copy API key' }));
    expect((await screen.findByTestId('toast')).textContent).toContain('Copied API key · clears in 30 s');
    expect(be.callsOf('item_copy').map((c) => c.args)).toEqual([{ id: 'id-1', field: 'value' }]);
    expect(be.callsOf('item_reveal')).toHaveLength(0);
    expect(screen.queryByText('sk_live_abc123')).toBeNull();
  });

  it('counts the toast down', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      fakeBackend();
      const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
      await openMain();
      await select(user, 'Stripe production');
      await user.click(within(detail()).getByRole('button', { name: 'Copy API key' }));
      await screen.findByText('Copied API key · clears in 30 s');
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3100);
      });
      expect(screen.getByTestId('toast').textContent).toContain('clears in 27 s');
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks before deleting, naming the item', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await select(user, 'Stripe staging');
    await user.click(within(detail()).getByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete “Stripe staging”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(be.callsOf('item_delete')).toHaveLength(0);

    await user.click(within(detail()).getByRole('button', { name: 'Delete' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Move to Trash' }));
    await waitFor(() => {
      expect(rowNames()).not.toContain('Stripe staging');
    });
    expect(be.callsOf('item_delete').map((c) => c.args)).toEqual([{ id: 'id-2' }]);
  });

  it('shows a failed command in the window', async () => {
    fakeBackend({ on: { item_copy: () => backendError('clipboard', 'the clipboard is not available') } });
    const user = userEvent.setup();
    await openMain();
    await select(user, 'Stripe production');
    await user.click(within(detail()).getByRole('button', { name: 'Copy API key' }));
    expect((await screen.findByRole('alert')).textContent).toContain('the clipboard is not available');
  });
});

describe('add and edit', () => {
  it('checks the form before sending and puts server field errors next to the input', async () => {
    let reject = true;
    const be = fakeBackend({
      on: {
        item_add: (a) => {
          if (reject) backendError('duplicate_name', 'an item named “Stripe production” already exists', 'name');
          const it = item({ name: (a.item as { name: string }).name });
          be.items.set(it.detail.id, it);
          return it.detail;
        },
      },
    });
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('button', { name: /New item/ }));
    const dialog = screen.getByRole('dialog', { name: 'New item' });
    expect(document.activeElement).toBe(within(dialog).getByLabelText(/^Name/));

    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    expect(within(dialog).getByText('Enter a name.')).toBeTruthy();
    expect(within(dialog).getByText('Enter the API key.')).toBeTruthy();
    expect(be.callsOf('item_add')).toHaveLength(0);

    await user.type(within(dialog).getByLabelText(/^Name/), 'Stripe production');
    await user.type(within(dialog).getByLabelText(/^API key \*/), 'sk_new');
    await user.clear(within(dialog).getByLabelText(/^Header name/));
    await user.type(within(dialog).getByLabelText(/^Header name/), 'X Api: key');
    await user.type(within(dialog).getByLabelText('URL'), 'not a url');
    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    expect(within(dialog).getByText('A header name has letters, digits and - only (no spaces or colons).')).toBeTruthy();
    expect(within(dialog).getByText('Enter a full URL, like https://api.example.com.')).toBeTruthy();
    expect(be.callsOf('item_add')).toHaveLength(0);

    await user.clear(within(dialog).getByLabelText(/^Header name/));
    await user.type(within(dialog).getByLabelText(/^Header name/), 'Authorization-Key');
    await user.clear(within(dialog).getByLabelText('URL'));
    await user.type(within(dialog).getByLabelText('Tags'), 'prod, payments, prod');
    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    const nameInput = within(dialog).getByLabelText(/^Name/);
    const msg = await within(dialog).findByText('an item named “Stripe production” already exists');
    expect(nameInput.getAttribute('aria-invalid')).toBe('true');
    expect(nameInput.getAttribute('aria-describedby')).toBe(msg.id);
    expect(be.callsOf('item_add')[0]?.args).toEqual({
      item: {
        kind: 'api_key',
        name: 'Stripe production',
        tags: ['prod', 'payments'],
        url: null,
        expires_at: null,
        // No rotation reminder unless one is asked for (issue 14, item 7).
        rotate_every_days: 0,
        warn_days: null,
        placement: { in: 'header', name: 'Authorization-Key' },
        value: 'sk_new',
      },
    });

    reject = false;
    await user.clear(nameInput);
    await user.type(nameInput, 'Stripe new');
    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).toBeNull();
    });
    expect(await screen.findByRole('heading', { level: 2, name: 'Stripe new' })).toBeTruthy();
  });

  it('validates TOTP: base32 secret, digits 6–8, period above 0', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('button', { name: /New item/ }));
    const dialog = screen.getByRole('dialog', { name: 'New item' });
    await user.click(within(dialog).getByRole('radio', { name: 'TOTP' }));
    await user.type(within(dialog).getByLabelText(/^Name/), 'GitHub 2FA');
    await user.type(within(dialog).getByLabelText(/^Secret/), 'abc1!');
    await user.clear(within(dialog).getByLabelText('Digits'));
    await user.type(within(dialog).getByLabelText('Digits'), '9');
    await user.clear(within(dialog).getByLabelText('Period (s)'));
    await user.type(within(dialog).getByLabelText('Period (s)'), '0');
    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    expect(within(dialog).getByText('The secret is base32: letters A–Z and digits 2–7 only.')).toBeTruthy();
    expect(within(dialog).getByText('Digits must be 6, 7 or 8.')).toBeTruthy();
    expect(within(dialog).getByText('The period is a number of seconds above 0 (at most 86400).')).toBeTruthy();
    expect(be.callsOf('item_add')).toHaveLength(0);

    await user.clear(within(dialog).getByLabelText(/^Secret/));
    await user.type(within(dialog).getByLabelText(/^Secret/), 'jbsw y3dp ehpk 3pxp');
    await user.clear(within(dialog).getByLabelText('Digits'));
    await user.type(within(dialog).getByLabelText('Digits'), '8');
    await user.clear(within(dialog).getByLabelText('Period (s)'));
    await user.type(within(dialog).getByLabelText('Period (s)'), '60');
    await user.type(within(dialog).getByLabelText('Issuer'), 'GitHub');
    await user.type(within(dialog).getByLabelText('Account'), 'me@example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    await waitFor(() => {
      expect(be.callsOf('item_add')).toHaveLength(1);
    });
    expect(be.callsOf('item_add')[0]?.args.item).toMatchObject({
      kind: 'totp',
      value: 'JBSWY3DPEHPK3PXP',
      issuer: 'GitHub',
      username: 'me@example.com',
      otp: { type: 'totp', algorithm: 'SHA1', digits: 8, period: 60 },
    });
    // Many typed fields: slow on a loaded machine.
  }, 20_000);

  it('OAuth2 needs a client ID and the issuer or token URL', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('button', { name: /New item/ }));
    const dialog = screen.getByRole('dialog', { name: 'New item' });
    await user.click(within(dialog).getByRole('radio', { name: 'OAuth2 client' }));
    await user.type(within(dialog).getByLabelText(/^Name/), 'Auth0 m2m');
    await user.type(within(dialog).getByLabelText(/^Client secret/), 's3cret');
    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    expect(within(dialog).getByText('Enter the client ID.')).toBeTruthy();
    expect(within(dialog).getByText('Enter the issuer or the token URL.')).toBeTruthy();
    expect(be.callsOf('item_add')).toHaveLength(0);
  });

  it('edits without pre-filling secrets; blank secrets are kept', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await select(user, 'Stripe production');
    await user.click(within(detail()).getByRole('button', { name: 'Edit' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit Stripe production' });
    const value = within(dialog).getByLabelText<HTMLInputElement>(/^API key/);
    expect(value.value).toBe('');
    expect(within(dialog).getAllByText('Leave blank to keep the stored value.').length).toBeGreaterThan(0);
    expect(within(dialog).getByLabelText<HTMLInputElement>('Tags').value).toBe('prod, payments');
    const name = within(dialog).getByLabelText(/^Name/);
    await user.clear(name);
    await user.type(name, 'Stripe live');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(be.callsOf('item_update')).toHaveLength(1);
    });
    expect(be.callsOf('item_update')[0]?.args).toMatchObject({
      id: 'id-1',
      item: { name: 'Stripe live', tags: ['prod', 'payments'], value: null, notes: null },
    });
    expect(await screen.findByRole('heading', { level: 2, name: 'Stripe live' })).toBeTruthy();
  });
});

describe('locking', () => {
  it('returns to the unlock screen on the vault-locked event and forgets revealed secrets', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await select(user, 'Stripe production');
    await user.click(within(detail()).getByRole('button', { name: 'Reveal API key' }));
    await screen.findByText('sk_live_abc123');
    await act(async () => {
      await emit('vault-locked', 'idle');
    });
    expect(await screen.findByText('Locked after 10 minutes of inactivity')).toBeTruthy();
    expect(screen.getByLabelText('Master password')).toBeTruthy();
    expect(screen.queryByText('sk_live_abc123')).toBeNull();
  });

  it('tells Rust about activity at most every 15 s', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    await openMain();
    await user.keyboard('a');
    expect(be.callsOf('app_activity')).toHaveLength(0);
    now += 16_000;
    await user.keyboard('b');
    await user.click(screen.getByTestId('item-rows'));
    now += 5_000;
    await user.keyboard('c');
    expect(be.callsOf('app_activity')).toHaveLength(1);
    now += 15_000;
    await user.keyboard('d');
    expect(be.callsOf('app_activity')).toHaveLength(2);
  });
});

describe('keyboard', () => {
  it('Ctrl+K focuses search, arrows move the selection, Enter opens the item', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.keyboard('{Control>}k{/Control}');
    const search = screen.getByRole('searchbox', { name: 'Search items' });
    expect(document.activeElement).toBe(search);
    const selectedName = () =>
      screen.getAllByRole('option').find((o) => o.getAttribute('aria-selected') === 'true')?.querySelector('.row-name')
        ?.textContent;
    expect(selectedName()).toBe('Auth0 machine client');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(selectedName()).toBe('GitHub deploy token');
    await user.keyboard('{ArrowUp}');
    expect(selectedName()).toBe('AWS root MFA');
    await user.keyboard('{Enter}');
    await screen.findByRole('heading', { level: 2, name: 'AWS root MFA' });
    await waitFor(() => {
      expect(document.activeElement).toBe(detail());
    });
    // In the list itself too.
    await user.click(screen.getByRole('option', { name: /^Grafana admin/ }));
    await user.keyboard('{ArrowDown}');
    expect(selectedName()).toBe('Stripe production');
    await user.keyboard('{End}');
    expect(selectedName()).toBe('Stripe staging');
    // Enter opens the item; Escape goes back to the list.
    await user.keyboard('{Enter}');
    await waitFor(() => {
      expect(document.activeElement).toBe(detail());
    });
    await user.keyboard('{Escape}');
    expect(document.activeElement).toBe(screen.getByRole('listbox', { name: 'All items' }));
  });

  it('Ctrl+N opens the add form, Escape closes it', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.keyboard('{Control>}n{/Control}');
    expect(screen.getByRole('dialog', { name: 'New item' })).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('Escape closes the settings dialog', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    await screen.findByLabelText('Lock after inactivity');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('Ctrl+L locks', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.keyboard('{Control>}l{/Control}');
    expect(await screen.findByLabelText('Master password')).toBeTruthy();
    expect(be.callsOf('vault_lock')).toHaveLength(1);
  });
});

describe('settings', () => {
  it('saves auto-lock and clipboard choices, toggles the keyring, changes the password', async () => {
    const be = fakeBackend({
      hasKeyring: true,
      on: {
        keyring_set: () => ({ enabled: false, notice: 'the keyring entry could not be removed; delete it by hand' }),
        vault_change_password: (a) =>
          a.current_password === 'old password'
            ? null
            : backendError('wrong_password', 'wrong password (the vault was not changed)'),
      },
    });
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    const lock = await within(dialog).findByLabelText('Lock after inactivity');
    expect((lock as HTMLSelectElement).value).toBe('10');
    expect(within(dialog).getByText(PATH)).toBeTruthy();
    // About: the version and the git commit of this build.
    expect((await within(dialog).findByTestId('about')).textContent).toBe('AboutKeywright 0.1.0 · commit abc123def456');
    await user.selectOptions(lock, '5');
    await waitFor(() => {
      expect(be.callsOf('settings_set')).toHaveLength(1);
    });
    expect(be.callsOf('settings_set')[0]?.args).toEqual({
      settings: { auto_lock_minutes: 5, clipboard_clear_seconds: 30 },
    });
    await user.selectOptions(within(dialog).getByLabelText('Clear copied secrets after'), 'Never');
    await waitFor(() => {
      expect(be.callsOf('settings_set')[1]?.args).toEqual({
        settings: { auto_lock_minutes: 5, clipboard_clear_seconds: 0 },
      });
    });

    await user.click(within(dialog).getByLabelText(/Unlock with the system keyring/));
    expect(await within(dialog).findByText('the keyring entry could not be removed; delete it by hand')).toBeTruthy();
    expect(be.callsOf('keyring_set')[0]?.args).toEqual({ enabled: false });

    await user.type(within(dialog).getByLabelText('Current password'), 'bad');
    await user.type(within(dialog).getByLabelText('New password'), 'new password 1');
    await user.type(within(dialog).getByLabelText('Confirm new password'), 'new password 1');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect(await within(dialog).findByText('Wrong password. Enter the password that unlocks this vault now.')).toBeTruthy();
    await user.clear(within(dialog).getByLabelText('Current password'));
    await user.type(within(dialog).getByLabelText('Current password'), 'old password');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect(await within(dialog).findByText('Password changed.')).toBeTruthy();
    expect(be.callsOf('vault_change_password')[1]?.args).toEqual({
      current_password: 'old password',
      new_password: 'new password 1',
    });
  });
});

describe('empty vault', () => {
  it('offers to add the first credential', async () => {
    fakeBackend({ items: [] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Add your first credential' }));
    expect(screen.getByRole('dialog', { name: 'New item' })).toBeTruthy();
  });

  it('shows why the vault cannot be opened', async () => {
    fakeBackend({ on: { vault_status: () => backendError('corrupt', 'the vault file is damaged') } });
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toBe('the vault file is damaged');
  });
});

