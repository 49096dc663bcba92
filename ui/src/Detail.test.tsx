// The detail pane (issue 14): a 2FA item's live code and Copy code, the revealed secret as a
// block, the title, and the copy buttons of the facts; against the fake backend.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { fakeBackend, hotpCodeFor, item, otp, sampleItems, sampleOtp } from './test/backend';
import css from './styles.css?raw';

/** A period start (counter even: the fake's codes are the first of their pair). */
const T = 1_800_000_000;
const SEED = 'JBSWY3DPEHPK3PXP';

type User = ReturnType<typeof userEvent.setup>;

function detail(): HTMLElement {
  return screen.getByTestId('detail');
}

async function open(user: User, name: RegExp) {
  await user.click(await screen.findByRole('option', { name }));
  return within(detail()).findByRole('heading', { level: 2 });
}

/** The body of the last CSS rule for `selector` in styles.css (the one that wins). */
function lastRule(selector: string): string {
  const esc = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const all = [...css.matchAll(new RegExp(`(?:^|\\n)${esc} \\{([^}]*)\\}`, 'g'))];
  return all.at(-1)?.[1] ?? '';
}

describe('2FA item detail', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows the live code with its countdown; Copy code copies the code through otp_copy, never the seed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((T + 12) * 1000 + 200);
    const be = fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    await open(user, /^AWS root MFA/);
    const d = detail();
    // The fake's 8-digit code at an even counter, grouped as the Codes view groups it.
    await waitFor(() => {
      expect(within(d).getByTestId('detail-code').textContent).toBe('1234 5678');
    });
    expect(within(d).getByTestId('seconds-left').textContent).toBe('18');
    // Only this item's code is read (its seed alone is opened), not the whole Codes list.
    expect(be.callsOf('otp_code').map((c) => c.args)).toEqual([{ id: 'id-6' }]);
    expect(be.callsOf('otp_codes')).toHaveLength(0);
    // Not in the last seconds: no next code yet.
    expect(within(d).getByTestId('detail-next-code').textContent).toBe('changes in 18 s');
    // The seed is not in the DOM, and Copy code is the first copy button of the pane.
    expect(document.body.innerHTML).not.toContain(SEED);
    const copyButtons = within(d).getAllByRole('button', { name: /copy/i });
    expect(copyButtons[0]).toBe(within(d).getByTestId('detail-copy-code'));
    expect(copyButtons[0]?.className).toContain('primary');

    await user.click(within(d).getByTestId('detail-copy-code'));
    await waitFor(() => {
      expect(be.callsOf('otp_copy')).toEqual([{ cmd: 'otp_copy', args: { id: 'id-6' } }]);
    });
    expect(be.callsOf('item_copy')).toHaveLength(0);
    expect(await screen.findByTestId('toast')).toBeTruthy();
    expect(screen.getByTestId('toast').textContent).toMatch(/^Copied/);
    expect(document.body.innerHTML).not.toContain(SEED);

    // The seed is under the folded "Secret" section, masked until Reveal.
    const section = d.querySelector('details.secret-section');
    expect(section).not.toBeNull();
    expect(section?.hasAttribute('open')).toBe(false);
    expect(within(d).getByTestId('secret-value').textContent).toMatch(/^•+$/);
    await user.click(within(d).getByRole('button', { name: 'Reveal Secret' }));
    await waitFor(() => {
      expect(within(d).getByTestId('secret-value').textContent).toBe(SEED);
    });
  });

  it('shows the next code in the last seconds and keeps a revealed seed while the code ticks', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((T + 25) * 1000 + 990);
    fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    await open(user, /^AWS root MFA/);
    const d = detail();
    await waitFor(() => {
      expect(within(d).getByTestId('detail-next-code').textContent).toBe('next 8765 4321');
    });
    expect(within(d).getByTestId('seconds-left').textContent).toBe('5');
    await user.click(within(d).getByRole('button', { name: 'Reveal Secret' }));
    await waitFor(() => {
      expect(within(d).getByTestId('secret-value').textContent).toBe(SEED);
    });
    // One second of Rust's clock later (the window's clock moves; the real timer fires).
    vi.setSystemTime((T + 26) * 1000 + 990);
    await waitFor(
      () => {
        expect(within(d).getByTestId('seconds-left').textContent).toBe('4');
      },
      { timeout: 2500 },
    );
    expect(within(d).getByTestId('secret-value').textContent).toBe(SEED);
  });

  it('a HOTP item makes and copies its next code through hotp_next', async () => {
    const bank = item(
      { name: 'Bank token', kind: 'totp', issuer: 'Bank', otp: { type: 'hotp', algorithm: 'SHA1', digits: 6, period: 30 } },
      { value: SEED },
    );
    const be = fakeBackend({
      items: [bank],
      otp: [otp({ id: bank.detail.id, name: 'Bank token', issuer: 'Bank', otp_type: 'hotp', counter: 4 })],
    });
    const user = userEvent.setup();
    render(<App />);
    await open(user, /^Bank token/);
    const d = detail();
    expect(be.callsOf('hotp_next')).toHaveLength(0);
    await user.click(within(d).getByTestId('detail-copy-code'));
    await waitFor(() => {
      expect(within(d).getByTestId('detail-code').textContent).toBe(`${hotpCodeFor(4).slice(0, 3)} ${hotpCodeFor(4).slice(3)}`);
    });
    expect(be.callsOf('hotp_next')).toEqual([{ cmd: 'hotp_next', args: { id: bank.detail.id, copy: true } }]);
    expect(be.callsOf('otp_copy')).toHaveLength(0);
    expect(be.callsOf('item_copy')).toHaveLength(0);
  });

  it('other kinds have no live code and keep Copy beside their secret', async () => {
    fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    await open(user, /^Stripe production/);
    expect(within(detail()).queryByTestId('detail-code')).toBeNull();
    expect(within(detail()).queryByTestId('detail-copy-code')).toBeNull();
    expect(detail().querySelector('details.secret-section')).toBeNull();
  });
});

describe('revealed secret', () => {
  it('is a full-width block that wraps, with its copy button', async () => {
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${'eyJzdWIiOiIxMjM0NTY3ODkwIn0'.repeat(12)}.${'sig'.repeat(60)}`;
    fakeBackend({ items: [item({ name: 'Auth JWT', kind: 'bearer' }, { value: jwt })] });
    const user = userEvent.setup();
    render(<App />);
    await open(user, /^Auth JWT/);
    const d = detail();
    await user.click(within(d).getByRole('button', { name: 'Reveal Token' }));
    const v = await within(d).findByText(jwt);
    expect(v.tagName).toBe('CODE');
    const row = v.closest('.secret');
    expect(row?.classList.contains('revealed')).toBe(true);
    // Its copy button is on the same secret row.
    expect(within(row as HTMLElement).getByRole('button', { name: 'Copy Token' })).toBeTruthy();
    // The block spans the row, wraps anywhere and scrolls when huge.
    expect(lastRule('.secret')).toMatch(/grid-template-areas: 'label actions' 'value value'/);
    const block = lastRule('.secret.revealed .secret-value') + lastRule('.secret-value');
    expect(block).toMatch(/overflow-wrap: anywhere/);
    expect(block).toMatch(/max-height: \d/);
    expect(block).toMatch(/overflow: auto/);
    expect(block).toMatch(/font-family: var\(--mono\)/);
  });
});

describe('detail title', () => {
  it('takes the width, breaks between words only, and lets the actions wrap below', async () => {
    const long = 'Stripe dashboard production restricted key for the billing service';
    fakeBackend({ items: [item({ name: long })] });
    const user = userEvent.setup();
    render(<App />);
    const h = await open(user, /^Stripe dashboard/);
    expect(h.textContent).toBe(long);
    expect(h.getAttribute('title')).toBe(long);
    // The actions are their own flex item after the title (a row of their own when short).
    const head = h.closest('.detail-head');
    expect(head?.lastElementChild?.classList.contains('detail-actions')).toBe(true);
    expect(lastRule('.detail-head')).toMatch(/flex-wrap: wrap/);
    expect(lastRule('.detail-actions')).toMatch(/flex-wrap: wrap/);
    const title = lastRule('.detail-title h2');
    expect(title).toMatch(/overflow-wrap: normal/);
    expect(title).toMatch(/word-break: normal/);
    expect(title).toMatch(/text-overflow: ellipsis/);
    expect(title).not.toMatch(/anywhere|break-all/);
  });
});

describe('copy buttons of the facts', () => {
  it('copy the username, URL and client ID through item_copy_plain, each with the copy toast', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    render(<App />);

    await open(user, /^Grafana admin/);
    await user.click(within(detail()).getByRole('button', { name: 'Copy username' }));
    await waitFor(() => {
      expect(be.callsOf('item_copy_plain').map((c) => c.args.field)).toEqual(['username']);
    });
    expect(await screen.findByTestId('toast')).toBeTruthy();

    await open(user, /^Stripe production/);
    await user.click(within(detail()).getByRole('button', { name: 'Copy URL' }));
    await open(user, /^Auth0 machine client/);
    await user.click(within(detail()).getByRole('button', { name: 'Copy client ID' }));
    await waitFor(() => {
      expect(be.callsOf('item_copy_plain').map((c) => c.args.field)).toEqual(['username', 'url', 'client_id']);
    });
    // The ids are the items', and no secret copy was asked.
    const ids = be.callsOf('item_copy_plain').map((c) => c.args.id);
    const byName = new Map([...be.items.values()].map((i) => [i.detail.name, i.detail.id]));
    expect(ids).toEqual([byName.get('Grafana admin'), byName.get('Stripe production'), byName.get('Auth0 machine client')]);
    expect(be.callsOf('item_copy')).toHaveLength(0);
  });

  it("shows the item's secret reference and copies it through item_copy_plain, never a secret", async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    await open(user, /^Auth0 machine client/);
    expect(within(detail()).getByTestId('reference').textContent).toBe('keywright://Auth0 machine client/access_token');
    await open(user, /^Stripe production/);
    expect(within(detail()).getByTestId('reference').textContent).toBe('keywright://Stripe production/secret');
    await user.click(within(detail()).getByRole('button', { name: 'Copy reference' }));
    await waitFor(() => {
      expect(be.callsOf('item_copy_plain').map((c) => c.args.field)).toEqual(['reference']);
    });
    expect(await screen.findByTestId('toast')).toBeTruthy();
    expect(be.callsOf('item_copy')).toHaveLength(0);
    expect(be.callsOf('item_reveal')).toHaveLength(0);
  });

  it('shows no copy button for a fact the item does not have', async () => {
    fakeBackend({ items: sampleItems() });
    const user = userEvent.setup();
    render(<App />);
    await open(user, /^GitHub deploy token/);
    expect(within(detail()).queryByRole('button', { name: /^Copy (username|URL|client ID|account)$/ })).toBeNull();
  });
});

describe('Show in Codes', () => {
  it('focuses and flashes the card, even far down a long grid, then the flash ends', async () => {
    const many = [
      ...Array.from({ length: 60 }, (_, i) => otp({ id: `o-${String(i)}`, name: `Service ${String(i).padStart(2, '0')}`, issuer: `Service ${String(i).padStart(2, '0')}` })),
      ...sampleOtp().filter((o) => o.id === 'id-6'),
    ];
    fakeBackend({ otp: many });
    const user = userEvent.setup();
    render(<App />);
    await open(user, /^AWS root MFA/);
    await user.click(within(detail()).getByRole('button', { name: 'Show in Codes' }));
    await screen.findByRole('list', { name: '2FA codes' });
    await waitFor(() => {
      expect(document.activeElement?.getAttribute('aria-label')).toMatch(/^Copy code for Amazon/);
    });
    const target = document.activeElement as HTMLElement;
    expect(target.classList.contains('flash')).toBe(true);
    // Only that card flashes.
    expect(document.querySelectorAll('.code-card.flash')).toHaveLength(1);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 1300));
    });
    expect(document.querySelectorAll('.code-card.flash')).toHaveLength(0);
    // Focusing it again does not flash without a new request.
    fireEvent.focus(target);
    expect(target.classList.contains('flash')).toBe(false);
    // The flash is an animation that respects reduced motion.
    expect(css).toMatch(/@media \(prefers-reduced-motion: reduce\) \{\s*\.code-card\.flash \{\s*animation: none;/);
  });
});
