// The 2FA Codes view and the import wizard, against the fake backend (src/test/backend.ts).
import { act, createEvent, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { backendError, EXPORT_PASSWORD, fakeBackend, otp, otpCodeAt, sampleOtp } from './test/backend';

/** A period start (counter even: the fake's codes are the first of their pair). */
const T = 1_800_000_000;

type User = ReturnType<typeof userEvent.setup>;

async function openCodes(user: User) {
  render(<App />);
  await screen.findByRole('listbox', { name: 'All items' });
  await user.click(screen.getByRole('button', { name: /^2FA codes/ }));
  return screen.findByRole('list', { name: '2FA codes' });
}

function card(label: string): HTMLElement {
  return screen.getByRole('button', { name: new RegExp(`^(Copy|Generate) code for ${label}`) });
}

function value(el: HTMLElement): string {
  return within(el).getByTestId('code-value').textContent;
}

function foot(el: HTMLElement): string {
  return within(el).getByTestId('code-foot').textContent;
}

function secondsLeft(el: HTMLElement): string {
  return within(el).getByTestId('seconds-left').textContent;
}

/** Run the fake timers (and the promises they release) inside act. */
async function advance(ms: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

describe('2FA codes view', () => {
  beforeEach(() => {
    // The window's clock stands still 12.2 s into a period: the codes are known.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((T + 12) * 1000 + 200);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has one navigation: the sidebar (and Ctrl+1…4) between views, no second switch', async () => {
    fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole('listbox', { name: 'All items' });
    const nav = screen.getByRole('navigation', { name: 'Views' });
    const items = within(nav).getByRole('button', { name: /^All items/ });
    const codes = within(nav).getByRole('button', { name: /^2FA codes/ });
    expect(items.getAttribute('aria-current')).toBe('page');
    expect(codes.getAttribute('aria-current')).toBeNull();
    // One way into the codes: no Items|Codes tabs, no "One-time codes" kind filter.
    expect(screen.queryByRole('tab', { name: 'Codes' })).toBeNull();
    expect(within(nav).queryByRole('button', { name: /One-time codes/ })).toBeNull();
    expect(codes.textContent).toContain('2');

    await user.keyboard('{Control>}2{/Control}');
    expect(await screen.findByRole('list', { name: '2FA codes' })).toBeTruthy();
    expect(codes.getAttribute('aria-current')).toBe('page');
    expect(items.getAttribute('aria-current')).toBeNull();
    expect(screen.queryByRole('listbox', { name: 'All items' })).toBeNull();
    expect(screen.getByRole('searchbox', { name: 'Search 2FA codes' })).toBeTruthy();

    await user.keyboard('{Control>}3{/Control}');
    expect(await screen.findByTestId('timeline')).toBeTruthy();
    expect(within(nav).getByRole('button', { name: /^Timeline/ }).getAttribute('aria-current')).toBe('page');
    expect(codes.getAttribute('aria-current')).toBeNull();

    await user.keyboard('{Control>}1{/Control}');
    expect(await screen.findByRole('listbox', { name: 'All items' })).toBeTruthy();
    expect(items.getAttribute('aria-current')).toBe('page');

    // A kind filter is the item list; the codes view is one click away.
    await user.click(within(nav).getByRole('button', { name: /^API keys/ }));
    expect(await screen.findByRole('listbox', { name: 'API keys' })).toBeTruthy();
    await user.click(codes);
    expect(await screen.findByRole('list', { name: '2FA codes' })).toBeTruthy();
  });

  it('shows each code grouped, with issuer, account, initials and the seconds left', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openCodes(user);
    expect(screen.getByTestId('codes-count').textContent).toBe('5 codes');
    const gh = card('GitHub \\(alice@example.com\\)');
    expect(value(gh)).toBe('123 456');
    expect(gh.querySelector('.avatar')?.textContent).toBe('GH');
    expect(secondsLeft(gh)).toBe('18');
    expect(foot(gh)).toBe('');
    expect(value(card('Amazon'))).toBe('1234 5678');
    expect(value(card('Okta'))).toBe('123 4567');
    expect(value(card('Steam'))).toBe('K7MQX');
    // The ring shows the part of the period gone (12 s of 30).
    expect(gh.querySelector('.ring')?.getAttribute('data-done')).toBe('0.400');
  });

  it('uses Rust’s clock, not the window’s', async () => {
    // Rust is 15 s ahead: its period ends in 3 s, so the next code is already shown.
    fakeBackend({
      on: {
        otp_codes: () => {
          const now = T + 27;
          return { now, codes: sampleOtp().map((o) => otpCodeAt(o, now)), damaged: 0 };
        },
      },
    });
    const user = userEvent.setup();
    await openCodes(user);
    const gh = card('GitHub');
    expect(secondsLeft(gh)).toBe('3');
    expect(foot(gh)).toBe('next 654 321');
    expect(gh.className).toContain('ending');
  });

  it('copies on click and on Enter through Rust, with a toast', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openCodes(user);
    await user.click(card('GitHub'));
    expect((await screen.findByTestId('toast')).textContent).toContain('Copied 2FA code · clears in 30 s');
    expect(be.callsOf('otp_copy').map((c) => c.args)).toEqual([{ id: 'otp-gh' }]);

    card('Okta').focus();
    await user.keyboard('{Enter}');
    await waitFor(() => {
      expect(be.callsOf('otp_copy')).toHaveLength(2);
    });
    expect(be.callsOf('otp_copy')[1]?.args).toEqual({ id: 'otp-okta' });
  });

  it('moves the focus between cards with the arrow keys (three columns without layout)', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openCodes(user);
    const focused = () => document.activeElement?.getAttribute('aria-label') ?? '';
    const first = card('GitHub');
    expect(first.getAttribute('tabindex')).toBe('0');
    expect(card('Amazon').getAttribute('tabindex')).toBe('-1');
    first.focus();
    await user.keyboard('{ArrowRight}');
    expect(focused()).toMatch(/^Copy code for Amazon/);
    expect(card('Amazon').getAttribute('tabindex')).toBe('0');
    await user.keyboard('{ArrowDown}');
    expect(focused()).toMatch(/^Generate code for Bank/);
    await user.keyboard('{ArrowLeft}');
    expect(focused()).toMatch(/^Copy code for Steam/);
    await user.keyboard('{Home}');
    expect(focused()).toMatch(/^Copy code for GitHub/);
    await user.keyboard('{End}');
    expect(focused()).toMatch(/^Generate code for Bank/);
    // Up from the first row goes back to the search box; down from it to the cards.
    await user.keyboard('{Home}{ArrowUp}');
    expect(document.activeElement).toBe(screen.getByRole('searchbox', { name: 'Search 2FA codes' }));
    await user.keyboard('{ArrowDown}');
    expect(focused()).toMatch(/^Copy code for GitHub/);
  });

  it('generates a HOTP code on request and shows its counter until the view is left', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openCodes(user);
    const bank = card('Bank');
    expect(value(bank)).toBe('Generate');
    expect(foot(bank)).toBe('next counter 4');
    expect(bank.querySelector('.ring')).toBeNull();
    await user.click(bank);
    await waitFor(() => {
      expect(value(card('Bank'))).toBe('444 444');
    });
    expect(foot(card('Bank'))).toBe('counter 4');
    expect(be.callsOf('hotp_next').map((c) => c.args)).toEqual([{ id: 'otp-bank', copy: true }]);
    expect(be.callsOf('otp_copy')).toHaveLength(0);
    expect((await screen.findByTestId('toast')).textContent).toContain('Copied 2FA code');

    card('Bank').focus();
    await user.keyboard('{Enter}');
    await waitFor(() => {
      expect(value(card('Bank'))).toBe('555 555');
    });
    expect(foot(card('Bank'))).toBe('counter 5');

    // Leaving the view forgets the code.
    await user.keyboard('{Control>}1{/Control}');
    await user.keyboard('{Control>}2{/Control}');
    await screen.findByRole('list', { name: '2FA codes' });
    expect(value(card('Bank'))).toBe('Generate');
  });

  it('filters by name, issuer, account and tags, and says when nothing matches', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openCodes(user);
    const search = screen.getByRole('searchbox', { name: 'Search 2FA codes' });
    const grid = () => screen.queryByRole('list', { name: '2FA codes' });
    const shown = () => {
      const g = grid();
      return g ? within(g).getAllByRole('listitem').map((li) => li.querySelector('.code-title')?.textContent) : [];
    };
    await user.type(search, 'alice');
    expect(shown()).toEqual(['GitHub']);
    expect(screen.getByTestId('codes-count').textContent).toBe('1 of 5 codes');
    await user.clear(search);
    await user.type(search, 'PROD');
    expect(shown()).toEqual(['Amazon']);
    await user.clear(search);
    await user.type(search, 'okta work');
    expect(shown()).toEqual(['Okta']);
    await user.clear(search);
    await user.type(search, 'nothing like it');
    expect(grid()).toBeNull();
    expect(screen.getByText('No codes match “nothing like it”')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Clear search' }));
    expect(shown()).toHaveLength(5);
    // The item search is its own.
    await user.keyboard('{Control>}1{/Control}');
    expect(screen.getByRole<HTMLInputElement>('searchbox', { name: 'Search items' }).value).toBe('');
  });

  it('offers the import when there are no 2FA codes', async () => {
    fakeBackend({ otp: [] });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole('listbox', { name: 'All items' });
    await user.click(screen.getByRole('button', { name: /^2FA codes/ }));
    expect(await screen.findByText('No 2FA codes yet')).toBeTruthy();
    expect(screen.getByText('Import from Aegis, 2FAS, Ente, Google Authenticator or a QR code.')).toBeTruthy();
    expect(screen.getByTestId('codes-count').textContent).toBe('0 codes');
    await user.click(screen.getByRole('button', { name: 'Import 2FA codes' }));
    expect(await screen.findByRole('dialog', { name: 'Import 2FA codes' })).toBeTruthy();
  });

  it('“Show in Codes” from a TOTP item focuses its card', async () => {
    fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('option', { name: /^AWS root MFA/ }));
    const d = screen.getByTestId('detail');
    await user.click(await within(d).findByRole('button', { name: 'Show in Codes' }));
    await screen.findByRole('list', { name: '2FA codes' });
    await waitFor(() => {
      expect(document.activeElement?.getAttribute('aria-label')).toMatch(/^Copy code for Amazon/);
    });
    // Not for other kinds.
    await user.keyboard('{Control>}1{/Control}');
    await user.click(await screen.findByRole('option', { name: /^Grafana admin/ }));
    await within(screen.getByTestId('detail')).findByRole('heading', { name: 'Grafana admin' });
    expect(within(screen.getByTestId('detail')).queryByRole('button', { name: 'Show in Codes' })).toBeNull();
  });
});

describe('2FA codes timing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  async function openWithFakeTimers() {
    vi.useFakeTimers();
    vi.setSystemTime((T + 20) * 1000 + 200);
    const be = fakeBackend();
    render(<App />);
    await advance(50);
    fireEvent.click(screen.getByRole('button', { name: /^2FA codes/ }));
    await advance(50);
    return be;
  }

  it('counts down each second, shows the next code in the last 5 s and reads again when the period ends', async () => {
    const be = await openWithFakeTimers();
    const gh = () => card('GitHub');
    expect(value(gh())).toBe('123 456');
    expect(secondsLeft(gh())).toBe('10');
    expect(foot(gh())).toBe('');
    expect(be.callsOf('otp_codes')).toHaveLength(1);

    await advance(1000);
    expect(secondsLeft(gh())).toBe('9');
    await advance(3000);
    expect(secondsLeft(gh())).toBe('6');
    expect(foot(gh())).toBe('');
    await advance(1000);
    expect(secondsLeft(gh())).toBe('5');
    expect(foot(gh())).toBe('next 654 321');
    expect(gh().className).toContain('ending');
    expect(gh().querySelector('.ring')?.getAttribute('data-done')).toBe('0.833');
    expect(foot(card('Amazon'))).toBe('next 8765 4321');
    expect(be.callsOf('otp_codes')).toHaveLength(1);

    // The period ends: the next code takes over and Rust is asked again.
    await advance(4000);
    expect(secondsLeft(gh())).toBe('1');
    await advance(1000);
    expect(value(gh())).toBe('654 321');
    expect(secondsLeft(gh())).toBe('30');
    expect(foot(gh())).toBe('');
    expect(gh().className).not.toContain('ending');
    expect(be.callsOf('otp_codes')).toHaveLength(2);
  });

  it('stops while the window is hidden and reads again when it is shown', async () => {
    const be = await openWithFakeTimers();
    const gh = () => card('GitHub');
    const hidden = vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    document.dispatchEvent(new Event('visibilitychange'));
    await advance(3000);
    expect(secondsLeft(gh())).toBe('10');
    expect(be.callsOf('otp_codes')).toHaveLength(1);

    hidden.mockReturnValue(false);
    document.dispatchEvent(new Event('visibilitychange'));
    await advance(50);
    expect(be.callsOf('otp_codes')).toHaveLength(2);
    expect(secondsLeft(gh())).toBe('7');
    await advance(1000);
    expect(secondsLeft(gh())).toBe('6');
  });

  it('reads again when the window regains focus, and stops when the view is left', async () => {
    const be = await openWithFakeTimers();
    window.dispatchEvent(new Event('focus'));
    await advance(50);
    expect(be.callsOf('otp_codes')).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: /^All items/ }));
    await advance(60_000);
    expect(be.callsOf('otp_codes')).toHaveLength(2);
  });
});

describe('import wizard', () => {
  async function openWizard(user: User) {
    await openCodes(user);
    await user.click(screen.getByRole('button', { name: /Import…/ }));
    return screen.getByRole('dialog', { name: 'Import 2FA codes' });
  }

  it('paste → preview with statuses → import → summary → the new codes are shown', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const dialog = await openWizard(user);
    expect(document.activeElement).toBe(within(dialog).getByLabelText('Choose file…'));
    const preview = within(dialog).getByRole('button', { name: 'Preview' });
    expect((preview as HTMLButtonElement).disabled).toBe(true);
    await user.click(within(dialog).getByLabelText(/^Or paste/));
    await user.paste('otpauth://totp/GitLab:me@example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitLab');
    await user.selectOptions(within(dialog).getByLabelText('Format'), 'otpauth:// list');
    await user.click(preview);

    const counts = await within(dialog).findByTestId('import-counts');
    expect(counts.textContent).toBe('2 new · 1 duplicate · 1 invalid');
    expect(be.callsOf('import_preview')[0]?.args).toEqual({
      source: { kind: 'text', text: 'otpauth://totp/GitLab:me@example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitLab' },
      format: 'otpauth',
      password: null,
      options: { tags: [], project: null, map: null },
    });
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['', 'line 1', 'GitLab', 'GitLab', 'me@example.com', 'TOTP · 6 digits · 30 s', 'new'],
      ['', 'line 2', 'GitHub 2', 'GitHub', 'alice@example.com', 'TOTP · 6 digits · 30 s', 'duplicate of “GitHub”'],
      ['', 'line 3', '—', '', '', '—', 'invalid: the secret is not base32'],
      ['', 'line 4', 'Dropbox', 'Dropbox', 'me@example.com', 'HOTP · 8 digits', 'new'],
    ]);
    const importButton = within(dialog).getByRole('button', { name: 'Import 2' });
    await waitFor(() => {
      expect(document.activeElement).toBe(importButton);
    });
    await user.click(importButton);

    expect(await within(dialog).findByText('Added 2 codes')).toBeTruthy();
    expect(be.callsOf('import_commit').map((c) => c.args)).toEqual([{ id: 'preview-1', rows: [0, 3] }]);
    const added = within(dialog).getByRole('list', { name: 'Added' });
    expect(within(added).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['GitLab', 'Dropbox']);
    expect(within(dialog).getByText('Skipped 1 duplicate and 1 invalid entry.')).toBeTruthy();
    const reads = be.callsOf('otp_codes').length;
    await user.click(within(dialog).getByRole('button', { name: 'Show codes' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => {
      expect(screen.getByTestId('codes-count').textContent).toBe('7 codes');
    });
    expect(be.callsOf('otp_codes').length).toBeGreaterThan(reads);
    // The first new code takes the focus.
    await waitFor(() => {
      expect(document.activeElement).toBe(card('GitLab'));
    });
    expect(be.callsOf('import_cancel')).toHaveLength(0);
  });

  it('asks for the password of an encrypted export, says when it is wrong, retries with it', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const dialog = await openWizard(user);
    const file = new File(['{"header":"ENCRYPTED"}'], 'aegis-export.json', { type: 'application/json' });
    await user.upload(within(dialog).getByLabelText('Choose file…'), file);

    const pw = await within(dialog).findByLabelText('Export password');
    expect(within(dialog).getByText(/^This Aegis export is encrypted\. Enter the password you chose when exporting it\./)).toBeTruthy();
    await waitFor(() => {
      expect(document.activeElement).toBe(pw);
    });
    const first = be.callsOf('import_preview')[0]?.args;
    expect(first).toEqual({
      source: { kind: 'bytes', name: 'aegis-export.json', base64: btoa('{"header":"ENCRYPTED"}') },
      format: null,
      password: null,
      options: { tags: [], project: null, map: null },
    });

    await user.type(pw, 'not it{Enter}');
    const msg = await within(dialog).findByText(
      'Wrong password for this Aegis export, or the file is damaged (nothing was imported)',
    );
    expect(pw.getAttribute('aria-invalid')).toBe('true');
    expect(pw.getAttribute('aria-describedby')).toBe(msg.id);
    const input = pw as HTMLInputElement;
    expect(input.value).toBe('not it');
    expect([input.selectionStart, input.selectionEnd]).toEqual([0, 6]);
    expect(be.callsOf('import_preview')[1]?.args.password).toBe('not it');

    // Typing replaces the selected wrong password.
    await user.keyboard(EXPORT_PASSWORD);
    expect(input.value).toBe(EXPORT_PASSWORD);
    await user.click(within(dialog).getByRole('button', { name: 'Open export' }));
    expect((await within(dialog).findByTestId('import-counts')).textContent).toBe('2 new · 1 duplicate · 1 invalid');
    expect(be.callsOf('import_preview')[2]?.args).toEqual({ ...first, password: EXPORT_PASSWORD });
  });

  it('shows why a source cannot be imported on the source step', async () => {
    fakeBackend();
    const user = userEvent.setup();
    const dialog = await openWizard(user);
    await user.click(within(dialog).getByLabelText(/^Or paste/));
    await user.paste('GARBAGE');
    await user.click(within(dialog).getByRole('button', { name: 'Preview' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'Cannot import this file as Aegis: not JSON (nothing was imported)',
    );
    // Still on the source step, with what was pasted.
    expect(within(dialog).getByLabelText<HTMLTextAreaElement>(/^Or paste/).value).toBe('GARBAGE');
  });

  it('Cancel, Back and Escape drop the preview in Rust; nothing new means nothing to import', async () => {
    const be = fakeBackend({
      previewRows: [
        {
          row: 0,
          kind: 'totp',
          selected: false,
          url: null,
          tags: [],
          requests: 0,
          hint: null,
          position: 1,
          label: 'entry 1',
          status: 'duplicate',
          name: 'GitHub 2',
          issuer: 'GitHub',
          account: null,
          otp_type: 'totp',
          digits: 6,
          period: 30,
          reason: null,
          duplicate_of: 'GitHub',
        },
      ],
    });
    const user = userEvent.setup();
    let dialog = await openWizard(user);
    const paste = async () => {
      await user.click(within(dialog).getByLabelText(/^Or paste/));
      await user.paste('otpauth://totp/x?secret=AB');
      await user.click(within(dialog).getByRole('button', { name: 'Preview' }));
      await within(dialog).findByTestId('import-counts');
    };
    await paste();
    expect(within(dialog).getByTestId('import-counts').textContent).toBe('0 new · 1 duplicate · 0 invalid');
    expect(within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Import 0' }).disabled).toBe(true);

    await user.click(within(dialog).getByRole('button', { name: 'Back' }));
    expect(be.callsOf('import_cancel').map((c) => c.args)).toEqual([{ id: 'preview-1' }]);
    await paste();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(be.callsOf('import_cancel').map((c) => c.args)).toEqual([{ id: 'preview-1' }, { id: 'preview-2' }]);

    await user.click(screen.getByRole('button', { name: /Import…/ }));
    dialog = screen.getByRole('dialog', { name: 'Import 2FA codes' });
    await paste();
    // Pasted text: Escape asks first (issue 14, item 6); Keep editing is the default.
    await user.keyboard('{Escape}');
    const ask = screen.getByRole('dialog', { name: 'Discard changes?' });
    expect(document.activeElement).toBe(within(ask).getByRole('button', { name: 'Keep editing' }));
    await user.click(within(ask).getByRole('button', { name: 'Discard' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(be.callsOf('import_cancel').map((c) => c.args)).toEqual([
      { id: 'preview-1' },
      { id: 'preview-2' },
      { id: 'preview-3' },
    ]);
    expect(be.previews.size).toBe(0);
    expect(be.callsOf('import_commit')).toHaveLength(0);
  });

  it('reads a file dropped on the zone as bytes, and files dropped on the window as paths', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const dialog = await openWizard(user);
    const zone = within(dialog).getByTestId('drop-zone');
    const file = new File(['otpauth://totp/A?secret=AB'], 'codes.txt', { type: 'text/plain' });
    const drop = createEvent.drop(zone);
    Object.defineProperty(drop, 'dataTransfer', { value: { files: [file], dropEffect: 'none' } });
    fireEvent(zone, drop);
    await within(dialog).findByTestId('import-counts');
    expect(be.callsOf('import_preview')[0]?.args.source).toEqual({
      kind: 'bytes',
      name: 'codes.txt',
      base64: btoa('otpauth://totp/A?secret=AB'),
    });
    await user.click(within(dialog).getByRole('button', { name: 'Back' }));

    // Tauri's drop event gives paths; the window never reads the file.
    await act(async () => {
      await emit('tauri://drag-drop', { paths: ['/home/dev/aegis.json'], position: { x: 10, y: 10 } });
    });
    await waitFor(() => {
      expect(be.callsOf('import_preview')).toHaveLength(2);
    });
    expect(be.callsOf('import_preview')[1]?.args.source).toEqual({ kind: 'file', path: '/home/dev/aegis.json' });
    await within(dialog).findByTestId('import-counts');
    await user.keyboard('{Escape}');

    // In the Codes view, a file dropped on the window opens the import with it.
    await act(async () => {
      await emit('tauri://drag-drop', { paths: ['/home/dev/shot.png'], position: { x: 10, y: 10 } });
    });
    const again = await screen.findByRole('dialog', { name: 'Import 2FA codes' });
    await within(again).findByTestId('import-counts');
    expect(be.callsOf('import_preview')[2]?.args.source).toEqual({ kind: 'file', path: '/home/dev/shot.png' });
  });

  it('is offered from the add form (TOTP) and the empty vault', async () => {
    fakeBackend({ items: [], otp: [otp({ id: 'x', name: 'X' })] });
    const user = userEvent.setup();
    render(<App />);
    // The empty vault offers the import of every format.
    await user.click(await screen.findByRole('button', { name: 'Import from a file…' }));
    expect(screen.getByRole('dialog', { name: 'Import' })).toBeTruthy();
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('button', { name: 'Add your first credential' }));
    const form = screen.getByRole('dialog', { name: 'New item' });
    expect(within(form).queryByRole('button', { name: 'Import…' })).toBeNull();
    await user.click(within(form).getByRole('radio', { name: 'TOTP' }));
    await user.click(within(form).getByRole('button', { name: 'Import…' }));
    expect(await screen.findByRole('dialog', { name: 'Import 2FA codes' })).toBeTruthy();
    expect(screen.queryByRole('dialog', { name: 'New item' })).toBeNull();
  });

  it('a locked vault during the import returns to the unlock screen', async () => {
    const be = fakeBackend({
      on: {
        import_preview: () => {
          be.setState('locked');
          return backendError('locked', 'the vault is locked');
        },
      },
    });
    const user = userEvent.setup();
    const dialog = await openWizard(user);
    await user.click(within(dialog).getByLabelText(/^Or paste/));
    await user.paste('otpauth://totp/x?secret=AB');
    await user.click(within(dialog).getByRole('button', { name: 'Preview' }));
    expect(await screen.findByLabelText('Master password')).toBeTruthy();
  });
});
