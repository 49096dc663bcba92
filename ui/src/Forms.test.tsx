// Issue 14, items 6, 8, 11 and OAuth2 parity: forms that never drop typing silently, errors
// that go when they no longer apply, an otpauth:// link read into the 2FA form, the OAuth2
// grant type, and a request console that never shows an old diagnosis under new input.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { fakeBackend } from './test/backend';

type User = ReturnType<typeof userEvent.setup>;

async function openMain() {
  render(<App />);
  return screen.findByRole('listbox', { name: 'All items' });
}

async function newItem(user: User) {
  await openMain();
  await user.click(screen.getByRole('button', { name: /New item/ }));
  return screen.getByRole('dialog', { name: 'New item' });
}

function outside(dialog: HTMLElement) {
  const overlay = dialog.parentElement;
  if (!overlay) throw new Error('no overlay');
  fireEvent.mouseDown(overlay);
}

describe('no silent discard (item 6)', () => {
  it('closes an untouched form at once on Escape and on a click outside', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await newItem(user);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();

    await user.click(screen.getByRole('button', { name: /New item/ }));
    const dialog = screen.getByRole('dialog', { name: 'New item' });
    // Picking a kind alone is no typing.
    await user.click(within(dialog).getByRole('radio', { name: 'Bearer token' }));
    outside(dialog);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('asks before Escape throws a filled-in form away; Keep editing keeps every field', async () => {
    fakeBackend();
    const user = userEvent.setup();
    const dialog = await newItem(user);
    await user.type(within(dialog).getByLabelText(/^Name/), 'Stripe live');
    await user.keyboard('{Escape}');
    const ask = screen.getByRole('dialog', { name: 'Discard changes?' });
    // Keep editing is the default: Enter or a second Escape keeps the form.
    expect(document.activeElement).toBe(within(ask).getByRole('button', { name: 'Keep editing' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Discard changes?' })).toBeNull();
    expect(within(dialog).getByLabelText<HTMLInputElement>(/^Name/).value).toBe('Stripe live');

    await user.keyboard('{Escape}');
    await user.click(within(screen.getByRole('dialog', { name: 'Discard changes?' })).getByRole('button', { name: 'Keep editing' }));
    expect(screen.getByRole('dialog', { name: 'New item' })).toBeTruthy();

    await user.keyboard('{Escape}');
    await user.click(within(screen.getByRole('dialog', { name: 'Discard changes?' })).getByRole('button', { name: 'Discard' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('asks before a click outside throws a filled-in form away', async () => {
    fakeBackend();
    const user = userEvent.setup();
    const dialog = await newItem(user);
    await user.type(within(dialog).getByLabelText('URL'), 'https://api.example.com');
    outside(dialog);
    const ask = screen.getByRole('dialog', { name: 'Discard changes?' });
    await user.click(within(ask).getByRole('button', { name: 'Keep editing' }));
    expect(within(dialog).getByLabelText<HTMLInputElement>('URL').value).toBe('https://api.example.com');
    outside(dialog);
    await user.click(within(screen.getByRole('dialog', { name: 'Discard changes?' })).getByRole('button', { name: 'Discard' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('asks in Settings once a password is typed in Change password', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    await within(dialog).findByLabelText('Current password');
    await user.type(within(dialog).getByLabelText('Current password'), 'x');
    await user.keyboard('{Escape}');
    expect(screen.getByRole('dialog', { name: 'Discard changes?' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Discard' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('errors that no longer apply go (item 8)', () => {
  it('first run: the messages re-check on input, and "do not match" waits for the confirmation', async () => {
    fakeBackend({ state: 'none' });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole('heading', { name: 'Create your Keywright vault' });
    const pw = screen.getByLabelText('Master password');
    const confirm = screen.getByLabelText('Confirm password');
    await user.type(pw, 'short');
    // Typing the first letters of the confirmation: nothing shouts yet.
    await user.type(confirm, 'sho');
    expect(screen.queryByText('The passwords do not match.')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create vault' }));
    expect(screen.getByText('Use at least 8 characters.')).toBeTruthy();
    expect(screen.getByText('The passwords do not match.')).toBeTruthy();

    await user.type(pw, ' enough now');
    expect(screen.queryByText('Use at least 8 characters.')).toBeNull();
    expect(screen.getByText('The passwords do not match.')).toBeTruthy();
    await user.clear(confirm);
    await user.type(confirm, 'short enough now');
    expect(screen.queryByText('The passwords do not match.')).toBeNull();
    expect(pw.getAttribute('aria-invalid')).toBe('false');
    expect(confirm.getAttribute('aria-invalid')).toBe('false');
  });

  it('settings: change password re-checks on input', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    await within(dialog).findByLabelText('New password');
    await user.type(within(dialog).getByLabelText('New password'), 'abc');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect(within(dialog).getByText('Enter your current password.')).toBeTruthy();
    expect(within(dialog).getByText('Use at least 8 characters.')).toBeTruthy();
    expect(within(dialog).getByText('The passwords do not match.')).toBeTruthy();
    await user.type(within(dialog).getByLabelText('Current password'), 'old');
    expect(within(dialog).queryByText('Enter your current password.')).toBeNull();
    await user.type(within(dialog).getByLabelText('New password'), 'defghij');
    expect(within(dialog).queryByText('Use at least 8 characters.')).toBeNull();
    await user.type(within(dialog).getByLabelText('Confirm new password'), 'abcdefghij');
    expect(within(dialog).queryByText('The passwords do not match.')).toBeNull();
  });

  it('item form: an error on a neighbour goes when the field it explains changes', async () => {
    fakeBackend();
    const user = userEvent.setup();
    const dialog = await newItem(user);
    await user.click(within(dialog).getByRole('radio', { name: 'OAuth2 client' }));
    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    expect(within(dialog).getByText('Enter the issuer or the token URL.')).toBeTruthy();
    await user.type(within(dialog).getByLabelText('Token URL'), 'https://login.example.com/token');
    expect(within(dialog).queryByText('Enter the issuer or the token URL.')).toBeNull();
  });
});

describe('otpauth:// link in the 2FA form (item 11)', () => {
  it('fills issuer, account, type, algorithm, digits, period and counter; the link goes to Rust', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const dialog = await newItem(user);
    await user.click(within(dialog).getByRole('radio', { name: 'TOTP' }));
    const link = 'otpauth://hotp/ACME%20Co:ann@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA256&digits=8&counter=42';
    fireEvent.change(within(dialog).getByLabelText(/^Secret/), { target: { value: link } });
    await waitFor(() => {
      expect(within(dialog).getByLabelText<HTMLInputElement>('Issuer').value).toBe('ACME Co');
    });
    expect(be.callsOf('otp_link_read')[0]?.args).toEqual({ link });
    expect(within(dialog).getByLabelText<HTMLInputElement>('Account').value).toBe('ann@example.com');
    expect(within(dialog).getByLabelText<HTMLSelectElement>('Type').value).toBe('hotp');
    expect(within(dialog).getByLabelText<HTMLSelectElement>('Algorithm').value).toBe('SHA256');
    expect(within(dialog).getByLabelText<HTMLInputElement>('Digits').value).toBe('8');
    expect(within(dialog).getByLabelText<HTMLInputElement>('Counter').value).toBe('42');
    // The name, left blank, takes the issuer.
    expect(within(dialog).getByLabelText<HTMLInputElement>(/^Name/).value).toBe('ACME Co');
    expect(within(dialog).getByText(/^Read from the otpauth link: ACME Co · ann@example.com/)).toBeTruthy();
    // The seed is not shown anywhere but in the (masked) field.
    expect(within(dialog).getByLabelText<HTMLInputElement>(/^Secret/).type).toBe('password');

    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    await waitFor(() => {
      expect(be.callsOf('item_add')).toHaveLength(1);
    });
    expect(be.callsOf('item_add')[0]?.args.item).toMatchObject({
      kind: 'totp',
      name: 'ACME Co',
      value: link,
      issuer: 'ACME Co',
      username: 'ann@example.com',
      otp: { type: 'hotp', algorithm: 'SHA256', digits: 8 },
      counter: 42,
    });
  });

  it('names what is wrong with an invalid link, and the error goes when the field changes', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const dialog = await newItem(user);
    await user.click(within(dialog).getByRole('radio', { name: 'TOTP' }));
    const secret = within(dialog).getByLabelText(/^Secret/);
    fireEvent.change(secret, { target: { value: 'otpauth://totp/x?issuer=a' } });
    expect(await within(dialog).findByText('This otpauth:// link has no secret= parameter.')).toBeTruthy();
    expect(secret.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(secret, { target: { value: 'JBSWY3DPEHPK3PXP' } });
    expect(within(dialog).queryByText('This otpauth:// link has no secret= parameter.')).toBeNull();
    // A plain seed is not sent for reading.
    expect(be.callsOf('otp_link_read')).toHaveLength(1);
  });
});

describe('OAuth2 grant type (parity with `keywright add oauth2 --grant`)', () => {
  it.each([
    ['Client credentials (no login)', 'client_credentials', true],
    ['Browser login (authorization code + PKCE)', 'authorization_code', false],
    ['Device code (log in on another device)', 'device_code', false],
  ] as const)('%s is sent as grant %s', async (label, grant, needsSecret) => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const dialog = await newItem(user);
    await user.click(within(dialog).getByRole('radio', { name: 'OAuth2 client' }));
    await user.selectOptions(within(dialog).getByLabelText('Grant type'), label);
    await user.type(within(dialog).getByLabelText(/^Name/), 'IdP');
    await user.type(within(dialog).getByLabelText(/^Client ID/), 'cid');
    await user.type(within(dialog).getByLabelText('Issuer'), 'https://login.example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    if (needsSecret) {
      // A machine client has only its secret to get tokens with.
      expect(within(dialog).getByText('Enter the client secret.')).toBeTruthy();
      await user.type(within(dialog).getByLabelText(/^Client secret/), 's3cret');
      await user.click(within(dialog).getByRole('button', { name: 'Add item' }));
    }
    await waitFor(() => {
      expect(be.callsOf('item_add')).toHaveLength(1);
    });
    expect(be.callsOf('item_add')[0]?.args.item).toMatchObject({
      kind: 'oauth2',
      oauth: { client_id: 'cid', issuer: 'https://login.example.com', grant },
      value: needsSecret ? 's3cret' : '',
    });
  }, 20_000);
});

describe('request console: an old result never sits under new input (item 8)', () => {
  async function console_(user: User) {
    await openMain();
    const list = screen.getByRole('listbox', { name: 'All items' });
    await user.click(within(list).getByText('Stripe production'));
    await user.click(await screen.findByRole('tab', { name: 'Requests' }));
    return screen.findByTestId('request-console');
  }

  it('marks the result stale and hides its diagnosis after a change, until it is sent again', async () => {
    fakeBackend();
    const user = userEvent.setup();
    const c = await console_(user);
    const url = within(c).getByRole('textbox', { name: 'URL' });
    fireEvent.change(url, { target: { value: 'https://nowhere.invalid/v1' } });
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    expect((await within(c).findByTestId('diagnosis')).textContent).toMatch(/DNS/);
    expect(within(c).queryByTestId('stale-note')).toBeNull();

    fireEvent.change(url, { target: { value: 'https://api.stripe.com/v1/balance' } });
    expect(within(c).queryByTestId('diagnosis')).toBeNull();
    expect(within(c).getByTestId('stale-note').textContent).toMatch(/changed after this response/);
    // Back to what was sent: the answer applies again.
    fireEvent.change(url, { target: { value: 'https://nowhere.invalid/v1' } });
    expect(within(c).getByTestId('diagnosis')).toBeTruthy();

    fireEvent.change(url, { target: { value: 'https://api.stripe.com/v1/balance' } });
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    await waitFor(() => {
      expect(within(c).getByTestId('diagnosis').textContent).not.toMatch(/DNS/);
    });
    expect(within(c).queryByTestId('stale-note')).toBeNull();
  });

  it('a header or method change and Paste curl make the old diagnosis go; an input error goes on change', async () => {
    fakeBackend();
    const user = userEvent.setup();
    const c = await console_(user);
    const url = within(c).getByRole('textbox', { name: 'URL' });
    fireEvent.change(url, { target: { value: 'https://nowhere.invalid/v1' } });
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    await within(c).findByTestId('diagnosis');
    await user.selectOptions(within(c).getByRole('combobox', { name: 'Method' }), 'POST');
    expect(within(c).queryByTestId('diagnosis')).toBeNull();
    await user.selectOptions(within(c).getByRole('combobox', { name: 'Method' }), 'GET');
    expect(within(c).getByTestId('diagnosis')).toBeTruthy();

    await user.click(within(c).getByRole('button', { name: 'Paste curl' }));
    const dialog = await screen.findByRole('dialog', { name: 'Paste a curl command' });
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'curl command' }), {
      target: { value: 'curl https://api.stripe.com/v1/charges' },
    });
    await user.click(within(dialog).getByRole('button', { name: 'Use this request' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).toBeNull();
    });
    expect(within(c).queryByTestId('diagnosis')).toBeNull();
    expect(within(c).getByTestId('stale-note')).toBeTruthy();

    // A refused URL: the message goes as soon as the URL is edited.
    fireEvent.change(url, { target: { value: 'api.example.com/v1' } });
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    expect((await within(c).findByTestId('console-error')).textContent).toBe(
      '"api.example.com/v1" is not a full URL. Start it with https://.',
    );
    fireEvent.change(url, { target: { value: 'https://api.example.com/v1' } });
    expect(within(c).queryByTestId('console-error')).toBeNull();
  });
});
