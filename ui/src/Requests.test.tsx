// The request console in the item detail, against the fake backend (src/test/backend.ts):
// send, the diagnosis banner and its fix-it buttons, the response tabs, history, saved
// requests, a pasted curl command, and drafts that survive moving between items.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { fakeBackend, sampleItems } from './test/backend';
import { fromHistory, toInput, emptyDraft, redactedIn } from './lib/request';

type User = ReturnType<typeof userEvent.setup>;

async function openConsole(user: User, name: string) {
  const list = await screen.findByRole('listbox', { name: 'All items' });
  await user.click(within(list).getByText(name));
  await user.click(await screen.findByRole('tab', { name: 'Requests' }));
  return screen.findByTestId('request-console');
}

function setUrl(console: HTMLElement, url: string) {
  fireEvent.change(within(console).getByRole('textbox', { name: 'URL' }), { target: { value: url } });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('request console', () => {
  it('sends with the item’s credential, shows the diagnosis and the response, and keeps history', async () => {
    const b = fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    const c = await openConsole(user, 'Stripe production');
    const url = within(c).getByRole<HTMLInputElement>('textbox', { name: 'URL' });
    expect(url.value).toBe('https://api.stripe.com');
    expect(within(c).getByText('X-API-Key: ••••')).toBeTruthy();
    await user.clear(url);
    await user.type(url, 'https://api.stripe.com/v1/balance{Enter}');
    const diag = await within(c).findByTestId('diagnosis');
    expect(diag.textContent).toContain('OK');
    expect(within(c).getByTestId('response-status').textContent).toBe('200 OK');
    expect(within(c).getByTestId('response-body').textContent).toContain('"X-Api-Key": "[redacted]"');
    expect(within(c).getByTestId('redacted-note').textContent).toMatch(/repeated this item’s credential once/);
    expect(b.callsOf('request_send')[0]?.args).toEqual({
      id: 'id-1',
      request: { method: 'GET', url: 'https://api.stripe.com/v1/balance', headers: [], body: { kind: 'none' }, timeout_s: null },
      retry: true,
    });
    // Headers and timing tabs.
    await user.click(within(c).getByRole('tab', { name: 'Headers (1)' }));
    expect(within(c).getByText('content-type')).toBeTruthy();
    await user.click(within(c).getByRole('tab', { name: 'Timing' }));
    expect(within(c).getByTestId('timing').textContent).toContain('First byte12 ms');
    // The history row, newest first.
    const hist = await within(c).findByTestId('request-history');
    expect(within(hist).getAllByRole('row')).toHaveLength(2);
    expect(hist.textContent).toContain('200 · OK');
    // No secret reached the window.
    expect(document.body.innerHTML).not.toMatch(/sk_live|sk_test/);
    expect(b.callsOf('item_reveal')).toHaveLength(0);
  });

  it('sends headers and a JSON or form body; bad input is named', async () => {
    const b = fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    const c = await openConsole(user, 'Stripe production');
    setUrl(c, 'https://api.stripe.com/v1/charges');
    await user.selectOptions(within(c).getByRole('combobox', { name: 'Method' }), 'POST');
    await user.click(within(c).getByRole('button', { name: '+ Add header' }));
    await user.type(within(c).getByRole('textbox', { name: 'Header 1 name' }), 'Idempotency-Key');
    await user.type(within(c).getByRole('textbox', { name: 'Header 1 value' }), 'abc-1');
    await user.click(within(c).getByRole('tab', { name: 'Body' }));
    await user.click(within(c).getByRole('radio', { name: 'JSON' }));
    const body = within(c).getByRole('textbox', { name: 'Body text' });
    fireEvent.change(body, { target: { value: '{"amount": ' } });
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    expect((await within(c).findByTestId('console-error')).textContent).toMatch(/^The JSON body does not parse: .*Fix it, or choose Raw/);
    expect(body.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(body, { target: { value: '{"amount":100}' } });
    await user.click(within(c).getByRole('button', { name: 'Format' }));
    expect((body as HTMLTextAreaElement).value).toBe('{\n  "amount": 100\n}');
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    await within(c).findByTestId('response');
    expect(b.callsOf('request_send').at(-1)?.args.request).toEqual({
      method: 'POST',
      url: 'https://api.stripe.com/v1/charges',
      headers: [['Idempotency-Key', 'abc-1']],
      body: { kind: 'json', text: '{\n  "amount": 100\n}' },
      timeout_s: null,
    });
    await user.click(within(c).getByRole('radio', { name: 'Form' }));
    await user.click(within(c).getByRole('button', { name: '+ Add field' }));
    await user.type(within(c).getByRole('textbox', { name: 'Field 1 name' }), 'currency');
    await user.type(within(c).getByRole('textbox', { name: 'Field 1 value' }), 'eur');
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    // The first was refused for its JSON (Rust checks it), the second sent.
    await waitFor(() => {
      expect(b.callsOf('request_send')).toHaveLength(3);
    });
    expect((b.callsOf('request_send').at(-1)?.args.request as { body: unknown }).body).toEqual({
      kind: 'form',
      fields: [['currency', 'eur']],
    });
    // A URL Rust refuses: its message, the field marked.
    setUrl(c, 'not a url');
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    expect((await within(c).findByTestId('console-error')).textContent).toMatch(/is not a full URL\. Start it with https:\/\/\./);
    expect(within(c).getByRole('textbox', { name: 'URL' }).getAttribute('aria-invalid')).toBe('true');
    // A timeout that is not a number is caught before sending.
    await user.click(within(c).getByRole('tab', { name: 'Options' }));
    await user.type(within(c).getByRole('textbox', { name: 'Timeout in seconds' }), 'ten');
    expect(within(c).getByText('a whole number of seconds, 1 to 300')).toBeTruthy();
  });

  it('a rate limit counts down before Retry; a rejected key offers Edit key', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const b = fakeBackend();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime.bind(vi) });
    render(<App />);
    const c = await openConsole(user, 'Stripe production');
    setUrl(c, 'https://api.stripe.com/status/429');
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    const retry = await within(c).findByTestId('retry-countdown');
    expect(within(c).getByTestId('diagnosis').textContent).toContain('Rate limited');
    expect(retry.textContent).toBe('Retry in 3 s');
    expect((retry as HTMLButtonElement).disabled).toBe(true);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(3200);
    });
    expect(retry.textContent).toBe('Retry now');
    await user.click(retry);
    await waitFor(() => {
      expect(b.callsOf('request_send')).toHaveLength(2);
    });

    setUrl(c, 'https://api.stripe.com/status/401');
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    await waitFor(() => {
      expect(within(c).getByTestId('diagnosis').textContent).toContain('Credential rejected');
    });
    await user.click(within(c).getByRole('button', { name: 'Edit key' }));
    expect(await screen.findByRole('dialog', { name: /Edit/ })).toBeTruthy();
  });

  it('an expired OAuth token: Renew & retry renews, then sends again', async () => {
    const b = fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    const c = await openConsole(user, 'Auth0 machine client');
    setUrl(c, 'https://api.acme.example/expired');
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    await waitFor(() => {
      expect(within(c).getByTestId('diagnosis').textContent).toContain('Token expired');
    });
    await user.click(within(c).getByRole('button', { name: 'Renew & retry' }));
    await waitFor(() => {
      expect(screen.getByTestId('diagnosis').textContent).toContain('OK');
    });
    expect(b.calls.map((x) => x.cmd).filter((x) => x === 'oauth_renew' || x === 'request_send')).toEqual([
      'request_send',
      'oauth_renew',
      'request_send',
    ]);
  });

  it('saves a request, opens it again, deletes it with undo; opens history without the credential', async () => {
    const b = fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    let c = await openConsole(user, 'Stripe production');
    setUrl(c, 'https://api.stripe.com/v1/health');
    await user.click(within(c).getByRole('button', { name: 'Save…' }));
    const name = within(c).getByRole<HTMLInputElement>('textbox', { name: 'Saved request name' });
    expect(name.value).toBe('health');
    await user.clear(name);
    await user.type(name, 'Health check{Enter}');
    const chip = await within(c).findByRole('button', { name: 'GET Health check' });
    expect(b.callsOf('request_save')[0]?.args.name).toBe('Health check');
    setUrl(c, 'https://elsewhere.example/');
    await user.click(chip);
    expect(within(c).getByRole<HTMLInputElement>('textbox', { name: 'URL' }).value).toBe('https://api.stripe.com/v1/health');
    // Saving again under its name says Replace.
    await user.click(within(c).getByRole('button', { name: 'Save…' }));
    expect(within(c).getByRole('button', { name: 'Replace' })).toBeTruthy();
    await user.click(within(c).getByRole('button', { name: 'Cancel' }));
    await user.click(within(c).getByRole('button', { name: 'Delete saved request Health check' }));
    await within(c).findByText(/Deleted “Health check”/);
    expect(within(c).queryByRole('button', { name: 'GET Health check' })).toBeNull();
    await user.click(within(c).getByRole('button', { name: 'Undo' }));
    expect(await within(c).findByRole('button', { name: 'GET Health check' })).toBeTruthy();

    // Send with a header, then open it from history: the item's own header is left out.
    await user.click(within(c).getByRole('button', { name: '+ Add header' }));
    await user.type(within(c).getByRole('textbox', { name: 'Header 1 name' }), 'Accept');
    await user.type(within(c).getByRole('textbox', { name: 'Header 1 value' }), 'text/plain');
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    const hist = await within(c).findByTestId('request-history');
    setUrl(c, 'https://other.example/');
    await user.click(within(hist).getAllByRole('row')[1] as HTMLElement);
    expect(within(c).getByRole<HTMLInputElement>('textbox', { name: 'URL' }).value).toBe('https://api.stripe.com/v1/health');
    expect(within(c).getByRole<HTMLInputElement>('textbox', { name: 'Header 1 value' }).value).toBe('text/plain');
    expect(within(c).queryByRole('textbox', { name: 'Header 2 name' })).toBeNull();

    // The draft and the tab stay while moving to another item and back.
    setUrl(c, 'https://api.stripe.com/v1/draft');
    await user.click(screen.getByRole('button', { name: /^Show the list/ }));
    const list = screen.getByRole('listbox', { name: 'All items' });
    await user.click(within(list).getByText('Grafana admin'));
    c = await screen.findByTestId('request-console');
    expect(within(c).getByText('Authorization: Basic admin:••••')).toBeTruthy();
    await user.click(within(list).getByText('Stripe production'));
    c = await screen.findByTestId('request-console');
    expect(within(c).getByRole<HTMLInputElement>('textbox', { name: 'URL' }).value).toBe('https://api.stripe.com/v1/draft');
  });

  it('fills the editor from a pasted curl command and says what was left out', async () => {
    const b = fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    const c = await openConsole(user, 'Stripe production');
    await user.click(within(c).getByRole('button', { name: 'Paste curl' }));
    const dialog = await screen.findByRole('dialog', { name: 'Paste a curl command' });
    const text = within(dialog).getByRole('textbox', { name: 'curl command' });
    fireEvent.change(text, { target: { value: 'wget https://x' } });
    // Ctrl+Enter in the dialog does not send the request behind it.
    fireEvent.keyDown(text, { key: 'Enter', ctrlKey: true });
    await user.click(within(dialog).getByRole('button', { name: 'Use this request' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/does not start with curl/);
    fireEvent.change(text, {
      target: { value: "curl -X POST https://api.stripe.com/v1/x -H 'Authorization: Bearer sk_live_pasted' -d '{\"a\":1}'" },
    });
    await user.click(within(dialog).getByRole('button', { name: 'Use this request' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).toBeNull();
    });
    expect(within(c).getByRole<HTMLSelectElement>('combobox', { name: 'Method' }).value).toBe('POST');
    expect(within(c).getByRole('note').textContent).toMatch(/Authorization header: the item's credential is attached instead/);
    expect(within(c).getByRole<HTMLTextAreaElement>('textbox', { name: 'Body text' }).value).toBe('{"a":1}');
    expect(b.callsOf('request_send')).toHaveLength(0);
  });

  it('the Requests view lists what was sent with every credential and opens its console', async () => {
    fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    let c = await openConsole(user, 'Stripe production');
    setUrl(c, 'https://api.stripe.com/status/401');
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    await within(c).findByTestId('diagnosis');
    // The console takes the list's width; the list comes back with one click.
    expect(screen.queryByRole('listbox', { name: 'All items' })).toBeNull();
    await user.click(screen.getByRole('button', { name: /^Show the list/ }));
    const list = screen.getByRole('listbox', { name: 'All items' });
    await user.click(within(list).getByText('Grafana admin'));
    c = await screen.findByTestId('request-console');
    setUrl(c, 'https://grafana.internal.example/api/health');
    await user.click(within(c).getByRole('button', { name: 'Send' }));
    await within(c).findByTestId('diagnosis');
    await user.click(screen.getByRole('button', { name: /^Requests/ }));
    const view = await screen.findByTestId('requests-view');
    await waitFor(() => {
      expect(within(view).getAllByRole('row')).toHaveLength(3);
    });
    const [, newest, older] = within(view).getAllByRole('row');
    expect(newest?.textContent).toContain('Grafana admin');
    expect(older?.textContent).toContain('Credential rejected');
    await user.click(within(view).getByRole('checkbox', { name: 'Failed only' }));
    expect(within(view).getAllByRole('row')).toHaveLength(2);
    await user.click(within(view).getAllByRole('row')[1] as HTMLElement);
    await screen.findByTestId('request-console');
    expect(screen.getByTestId('detail').textContent).toContain('Stripe production');
  });

  it('2FA items have no request console', async () => {
    fakeBackend({ items: sampleItems() });
    const user = userEvent.setup();
    render(<App />);
    const list = await screen.findByRole('listbox', { name: 'All items' });
    await user.click(within(list).getByText('AWS root MFA'));
    await screen.findByTestId('detail');
    expect(screen.queryByRole('tab', { name: 'Requests' })).toBeNull();
  });
});

describe('request editor model', () => {
  it('leaves out blank rows and gives the body in its mode', () => {
    const d = { ...emptyDraft(' https://x/ '), headers: [{ name: '', value: '' }, { name: 'A', value: '1' }], bodyMode: 'raw' as const, bodyText: 'hi', timeout: '12' };
    expect(toInput(d)).toEqual({ method: 'GET', url: 'https://x/', headers: [['A', '1']], body: { kind: 'raw', text: 'hi' }, timeout_s: 12 });
  });

  it('opens a history entry without its credential and names what was redacted', () => {
    const { draft, notes } = fromHistory({
      at: 0,
      method: 'POST',
      url: 'https://x/v1?api_key=[redacted]&page=2',
      headers: [
        ['Cookie', '[redacted]'],
        ['Accept', 'application/json'],
      ],
      body_bytes: 12,
      status: 200,
      diagnosis: 'ok',
      message: '',
      total_ms: 1,
      renewed: false,
      credential_header: null,
      credential_query: 'api_key',
    });
    expect(draft.url).toBe('https://x/v1?page=2');
    expect(draft.headers).toEqual([
      { name: 'Cookie', value: '[redacted]' },
      { name: 'Accept', value: 'application/json' },
    ]);
    expect(redactedIn(draft)).toEqual(['Cookie']);
    expect(notes[0]).toMatch(/^Cookie: the value was redacted/);
    expect(notes[1]).toMatch(/body \(12 B\) is not kept/);
  });
});

describe('Test this key', () => {
  it('a recognised key says what it is, and Test this key sends its service’s who-am-I request at once', async () => {
    const b = fakeBackend({
      items: sampleItems().map((it) =>
        it.detail.name === 'Stripe production'
          ? {
              ...it,
              detail: {
                ...it.detail,
                recognized: {
                  service: 'stripe',
                  variant: 'live',
                  label: 'Stripe live secret key',
                  test_url: 'https://api.stripe.com/v1/balance',
                },
              },
            }
          : it,
      ),
    });
    const user = userEvent.setup();
    render(<App />);
    const list = await screen.findByRole('listbox', { name: 'All items' });
    await user.click(within(list).getByText('Stripe production'));
    expect((await screen.findByTestId('recognized')).textContent).toBe('Stripe live secret key');
    await user.click(screen.getByRole('button', { name: 'Test this key' }));
    const c = await screen.findByTestId('request-console');
    expect(within(c).getByRole<HTMLInputElement>('textbox', { name: 'URL' }).value).toBe('https://api.stripe.com/v1/balance');
    await within(c).findByTestId('diagnosis');
    expect(b.callsOf('request_send')).toHaveLength(1);
    expect(b.callsOf('request_send')[0]?.args.request).toEqual({
      method: 'GET',
      url: 'https://api.stripe.com/v1/balance',
      headers: [],
      body: { kind: 'none' },
      timeout_s: null,
    });
    // Only once: going back to Details and to Requests again does not send again.
    await user.click(screen.getByRole('tab', { name: 'Details' }));
    await user.click(screen.getByRole('tab', { name: 'Requests' }));
    await screen.findByTestId('request-console');
    expect(b.callsOf('request_send')).toHaveLength(1);
  });
});
