// Rotation in the app: Mark rotated (RotateDialog), the previous version in the detail,
// Snooze / Renew / Open on the timeline's rows, and the list's sort (SortMenu, sortItems),
// against the fake backend (src/test/backend.ts).
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { App } from './App';
import type { ItemDetail } from './bindings/ItemDetail';
import type { ItemSummary } from './bindings/ItemSummary';
import { PreviousVersions } from './components/PreviousVersions';
import { RotateDialog } from './components/RotateDialog';
import { SortMenu } from './components/SortMenu';
import { statusLine } from './lib/format';
import { nextDue, type SortKey, sortItems } from './lib/sort';
import { dueOf, timeline } from './lib/timeline';
import { backendError, DAY, fakeBackend, item, NOW, sampleItems, summary } from './test/backend';

function row(over: Partial<ItemSummary> & Pick<ItemSummary, 'name'>): ItemSummary {
  return summary(item({ rotation_due_at: null, ...over }).detail);
}

describe('sortItems', () => {
  const items = [
    row({ name: 'alpha', updated_at: NOW - 5 * DAY }),
    row({ name: 'Bravo', expires_at: NOW + 30 * DAY, updated_at: NOW - 1 * DAY }),
    row({ name: 'charlie', expires_at: NOW + 3 * DAY, status: 'expiring', updated_at: NOW - 9 * DAY }),
    row({ name: 'Delta', expires_at: NOW - 2 * DAY, status: 'expired', updated_at: NOW - 2 * DAY }),
    row({ name: 'echo', rotation_due_at: NOW + 10 * DAY, updated_at: NOW }),
    row({ name: 'foxtrot', kind: 'oauth2', status: 'reauth_required', updated_at: NOW - 3 * DAY }),
  ];
  const names = (by: SortKey) => sortItems(items, by).map((i) => i.name);

  it('keeps the given order by name, puts what needs you first by expiry, newest change first by updated', () => {
    expect(names('name')).toEqual(['alpha', 'Bravo', 'charlie', 'Delta', 'echo', 'foxtrot']);
    // Refused logins and expired first (no date first), then by the next date, undated last.
    expect(names('expiry')).toEqual(['foxtrot', 'Delta', 'charlie', 'echo', 'Bravo', 'alpha']);
    expect(names('updated')).toEqual(['echo', 'Bravo', 'Delta', 'foxtrot', 'alpha', 'charlie']);
    // A new array: the caller's list is not reordered.
    expect(items.map((i) => i.name)[0]).toBe('alpha');
  });

  it('moves a snoozed reminder to the end of the snooze, never an expiry', () => {
    expect(nextDue({ expires_at: null, rotation_due_at: NOW - DAY, snoozed_until: NOW + 7 * DAY })).toBe(NOW + 7 * DAY);
    expect(nextDue({ expires_at: NOW + 3 * DAY, rotation_due_at: null, snoozed_until: NOW + 7 * DAY })).toBe(NOW + 3 * DAY);
    expect(nextDue({ expires_at: null, rotation_due_at: null, snoozed_until: null })).toBeNull();
    const snoozed = row({ name: 'S', status: 'ok', rotation_due_at: NOW - DAY, snoozed_until: NOW + 10 * DAY });
    const d = dueOf(snoozed, NOW);
    expect([d.at, d.reason, d.group]).toEqual([NOW + 10 * DAY, 'rotation due', 'later']);
    expect(timeline([snoozed], NOW).now).toHaveLength(0);
  });
});

describe('statusLine', () => {
  it('says a snooze and keeps saying the expiry', () => {
    const s = { status: 'ok' as const, rotation_due_at: NOW - DAY, snoozed_until: NOW + 7 * DAY };
    expect(statusLine({ ...s, expires_at: null }, NOW)).toMatch(/^rotation reminder snoozed until \S/);
    expect(statusLine({ ...s, expires_at: NOW + 3 * DAY }, NOW)).toMatch(/^snoozed until .* · expires in 3 days$/);
    expect(statusLine({ ...s, snoozed_until: null, expires_at: null }, NOW)).toMatch(/^rotate by /);
  });
});

describe('SortMenu', () => {
  it('shows the order, offers the three, and reports the pick', async () => {
    const onChange = vi.fn();
    const user = userEvent.setup();
    render(<SortMenu value="name" onChange={onChange} />);
    const button = screen.getByRole('button', { name: 'Sort by: Name' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    await user.click(button);
    const menu = screen.getByRole('menu');
    const choices = within(menu).getAllByRole('menuitemradio');
    expect(choices.map((c) => [c.textContent, c.getAttribute('aria-checked')])).toEqual([
      ['✓Name', 'true'],
      ['Expiry', 'false'],
      ['Last changed', 'false'],
    ]);
    // Arrow keys move, Escape closes without a pick and gives focus back.
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement?.textContent).toBe('Expiry');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(onChange).not.toHaveBeenCalled();
    await user.click(button);
    await user.click(screen.getByRole('menuitemradio', { name: 'Expiry' }));
    expect(onChange).toHaveBeenCalledWith('expiry');
    expect(screen.queryByRole('menu')).toBeNull();
  });
});

describe('RotateDialog', () => {
  const target = { id: 'id-1', name: 'Stripe production', kind: 'api_key' as const, rotate_every_days: 30 };

  it('sends the new value and the grace period, says what will happen first', async () => {
    const b = fakeBackend();
    const onRotated = vi.fn<(d: ItemDetail) => void>();
    const user = userEvent.setup();
    render(<RotateDialog item={target} onClose={() => undefined} onRotated={onRotated} />);
    const input = screen.getByLabelText('New API key');
    expect(input.getAttribute('type')).toBe('password');
    expect(document.activeElement).toBe(input);
    const summaryBox = screen.getByTestId('rotate-summary');
    expect(summaryBox.textContent).toMatch(/stays readable \(Reveal, Copy\) until .* then it is deleted/);
    expect(summaryBox.textContent).toContain('The next rotation reminder moves to');
    expect(screen.getByRole<HTMLInputElement>('radio', { name: '7 days' }).checked).toBe(true);
    await user.click(screen.getByRole('radio', { name: 'None' }));
    expect(summaryBox.textContent).toMatch(/is deleted now: anything still using it stops working/);
    await user.click(screen.getByRole('radio', { name: '30 days' }));
    await user.type(input, 'sk_live_new');
    await user.click(screen.getByRole('button', { name: 'Mark rotated' }));
    await waitFor(() => {
      expect(onRotated).toHaveBeenCalledTimes(1);
    });
    expect(b.callsOf('item_rotate')[0]?.args).toEqual({ id: 'id-1', value: 'sk_live_new', grace_days: 30 });
    const d = onRotated.mock.calls[0]?.[0];
    expect(d?.previous_versions[0]?.purge_at).toBeGreaterThan(NOW + 29 * DAY);
  });

  it('says that a passed expiry date goes with the old value', () => {
    fakeBackend();
    const { rerender } = render(<RotateDialog item={{ ...target, manual_expires_at: NOW - DAY }} onClose={() => undefined} onRotated={() => undefined} />);
    expect(screen.getByTestId('rotate-summary').textContent).toMatch(/Its expiry date, .*, has passed and is cleared/);
    rerender(<RotateDialog item={{ ...target, manual_expires_at: NOW + 9 * DAY }} onClose={() => undefined} onRotated={() => undefined} />);
    expect(screen.getByTestId('rotate-summary').textContent).not.toContain('has passed');
  });

  it('refuses an empty value itself and puts the backend\'s error under the input', async () => {
    const b = fakeBackend();
    const user = userEvent.setup();
    render(<RotateDialog item={target} onClose={() => undefined} onRotated={() => undefined} />);
    await user.click(screen.getByRole('button', { name: 'Mark rotated' }));
    expect(screen.getByRole('alert').textContent).toBe('Enter the new API key the service gave you.');
    expect(b.callsOf('item_rotate')).toHaveLength(0);
    // The fake's current value of the first sample item.
    await user.type(screen.getByLabelText('New API key'), 'sk_live_abc123');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Mark rotated' }));
    expect((await screen.findByRole('alert')).textContent).toContain('the same as the current value of "Stripe production"');
    expect(screen.getByLabelText('New API key').getAttribute('aria-invalid')).toBe('true');
  });

  it('asks before Escape throws away a typed value', async () => {
    fakeBackend();
    const onClose = vi.fn();
    const user = userEvent.setup();
    render(<RotateDialog item={target} onClose={onClose} onRotated={() => undefined} />);
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
    onClose.mockClear();
    await user.type(screen.getByLabelText('New API key'), 'typed');
    await user.keyboard('{Escape}');
    expect(onClose).not.toHaveBeenCalled();
    const ask = screen.getByRole('alertdialog', { name: 'Discard the new value?' });
    await user.click(within(ask).getByRole('button', { name: 'Keep editing' }));
    expect(screen.getByLabelText<HTMLInputElement>('New API key').value).toBe('typed');
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('button', { name: 'Discard' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('PreviousVersions', () => {
  const base = { id: 'id-1', kind: 'api_key' as const };

  it('is masked until revealed through Rust, copies through Rust, says until when', async () => {
    const b = fakeBackend();
    const user = userEvent.setup();
    const onCopied = vi.fn();
    const v = { id: 'v-id-1', created_at: NOW, purge_at: NOW + 7 * DAY };
    const { rerender } = render(<PreviousVersions detail={{ ...base, previous_versions: [] }} />);
    expect(screen.queryByTestId('previous-versions')).toBeNull();
    b.setPrevious('id-1', 'sk_old_value');
    rerender(<PreviousVersions detail={{ ...base, previous_versions: [v] }} onCopied={onCopied} />);
    const box = screen.getByTestId('previous-versions');
    expect(box.textContent).not.toContain('sk_old_value');
    expect(box.textContent).toMatch(/valid until .*in 7 days\), then deleted/);
    await user.click(within(box).getByRole('button', { name: 'Reveal Previous API key' }));
    expect((await within(box).findByTestId('previous-v-id-1')).textContent).toBe('sk_old_value');
    expect(b.callsOf('item_previous_reveal')[0]?.args).toEqual({ id: 'id-1', version_id: 'v-id-1' });
    await user.click(within(box).getByRole('button', { name: 'Copy Previous API key' }));
    await waitFor(() => {
      expect(onCopied).toHaveBeenCalledWith({ clear_after_s: 30 }, 'Previous API key');
    });
    expect(b.callsOf('item_previous_copy')[0]?.args).toEqual({ id: 'id-1', version_id: 'v-id-1' });
  });

  it('shows nothing once the grace period has ended', () => {
    fakeBackend();
    render(<PreviousVersions detail={{ ...base, previous_versions: [{ id: 'old', created_at: NOW - 9 * DAY, purge_at: NOW - 2 * DAY }] }} />);
    expect(screen.queryByTestId('previous-versions')).toBeNull();
  });
});

describe('timeline actions', () => {
  async function openTimeline() {
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole('listbox', { name: 'All items' });
    await user.click(screen.getByRole('button', { name: /^Timeline/ }));
    return { user, tl: await screen.findByTestId('timeline') };
  }
  const rowOf = (tl: HTMLElement, name: string) => within(tl).getByText(name).closest('li') as HTMLElement;

  it('offers what each row can do: no rotation for 2FA, no snooze for an expiry that came', async () => {
    const items = sampleItems();
    const auth0 = items.find((i) => i.detail.name === 'Auth0 machine client');
    if (auth0) auth0.detail.renewable = true;
    fakeBackend({ items });
    const { tl } = await openTimeline();
    const names = (name: string) =>
      within(within(rowOf(tl, name)).getByRole('group')).getAllByRole('button').map((b) => b.textContent);
    expect(names('GitHub deploy token')).toEqual(['Mark rotated', 'Snooze ▾', 'Open']);
    expect(names('Auth0 machine client')).toEqual(['Mark rotated', 'Renew', 'Open']);
    expect(names('AWS root MFA')).toEqual(['Snooze ▾', 'Open']);
  });

  it('marks a row rotated from its dialog and says until when the old value works', async () => {
    const b = fakeBackend();
    const { user, tl } = await openTimeline();
    await user.click(within(rowOf(tl, 'GitHub deploy token')).getByRole('button', { name: 'Mark rotated' }));
    const dialog = await screen.findByRole('dialog', { name: 'Mark rotated' });
    await user.type(within(dialog).getByLabelText('New token'), 'ghp_new');
    await user.click(within(dialog).getByRole('button', { name: 'Mark rotated' }));
    expect((await within(tl).findByTestId('timeline-notice')).textContent).toMatch(
      /^Marked GitHub deploy token rotated\. The previous value stays readable until /,
    );
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(b.callsOf('item_rotate')[0]?.args).toMatchObject({ value: 'ghp_new', grace_days: 7 });
    expect(document.body.innerHTML).not.toContain('ghp_new');
  });

  it('snoozes a reminder from the row menu and shows it under its new date', async () => {
    const b = fakeBackend();
    const { user, tl } = await openTimeline();
    const before = rowOf(tl, 'AWS root MFA');
    expect(before.closest('.timeline-group')?.getAttribute('data-group')).toBe('now');
    await user.click(within(before).getByRole('button', { name: 'Snooze AWS root MFA' }));
    await user.click(screen.getByRole('menuitem', { name: '30 days' }));
    expect((await within(tl).findByTestId('timeline-notice')).textContent).toMatch(/^Snoozed AWS root MFA until /);
    expect(b.callsOf('item_snooze')[0]?.args).toEqual({ id: expect.any(String) as string, days: 30 });
    const after = rowOf(tl, 'AWS root MFA');
    expect(after.closest('.timeline-group')?.getAttribute('data-group')).toBe('later');
    expect(after.textContent).toMatch(/snoozed until/);
  });

  it('renews an OAuth item from its row and says why a snooze was refused', async () => {
    const items = sampleItems();
    const auth0 = items.find((i) => i.detail.name === 'Auth0 machine client');
    if (auth0) auth0.detail.renewable = true;
    const gh = items.find((i) => i.detail.name === 'GitHub deploy token');
    const b = fakeBackend({
      items,
      on: {
        item_snooze: () => backendError('invalid_input', 'invalid snooze: "GitHub deploy token" has expired', 'snooze'),
      },
    });
    const { user, tl } = await openTimeline();
    await user.click(within(rowOf(tl, 'Auth0 machine client')).getByRole('button', { name: 'Renew' }));
    expect((await within(tl).findByTestId('timeline-notice')).textContent).toBe('Renewed Auth0 machine client.');
    expect(b.callsOf('oauth_renew')[0]?.args).toEqual({ id: auth0?.detail.id });
    await user.click(within(rowOf(tl, 'GitHub deploy token')).getByRole('button', { name: 'Snooze GitHub deploy token' }));
    await user.click(screen.getByRole('menuitem', { name: '7 days' }));
    const alert = await within(tl).findByRole('alert');
    expect(alert.textContent).toContain('has expired');
    expect(gh?.detail.snoozed_until).toBeNull();
  });
});
