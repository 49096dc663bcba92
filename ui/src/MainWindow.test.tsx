// The main window as a daily tool: keyboard copy, the shortcuts list, changes made by
// another process, the request console's width, the sidebar drawer and the toast's place.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { fakeBackend, item } from './test/backend';

async function openMain() {
  render(<App />);
  return screen.findByRole('listbox', { name: 'All items' });
}

function rowNames(): string[] {
  return screen.queryAllByRole('option').map((o) => o.querySelector('.row-name')?.textContent ?? '');
}

function idOf(be: ReturnType<typeof fakeBackend>, name: string): string {
  const found = [...be.items.values()].find((i) => i.detail.name === name);
  if (!found) throw new Error(`no item ${name}`);
  return found.detail.id;
}

async function outsideChange() {
  await act(async () => {
    await emit('items-changed', []);
  });
}

describe('keyboard copy', () => {
  it('Ctrl+K, three letters, Ctrl+C: five keystrokes copy the first match through Rust', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.keyboard('{Control>}k{/Control}');
    await user.keyboard('gra');
    expect(rowNames()).toEqual(['Grafana admin']);
    await user.keyboard('{Control>}c{/Control}');
    await waitFor(() => {
      expect(be.callsOf('item_copy_main').map((c) => c.args)).toEqual([{ id: idOf(be, 'Grafana admin') }]);
    });
    // The value never comes to the window; the toast says what was copied.
    expect(be.callsOf('item_reveal')).toHaveLength(0);
    expect(screen.queryByText('hunter2')).toBeNull();
    expect((await screen.findByTestId('toast')).textContent).toContain('Copied password · clears in 30 s');
  });

  it('copies the selected row from the list, and a 2FA item copies its code', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('option', { name: /^AWS root MFA/ }));
    await user.keyboard('{Control>}c{/Control}');
    await waitFor(() => {
      expect(be.callsOf('item_copy_main').map((c) => c.args)).toEqual([{ id: idOf(be, 'AWS root MFA') }]);
    });
    expect((await screen.findByTestId('toast')).textContent).toContain('Copied 2FA code');
    expect(be.callsOf('item_copy')).toHaveLength(0);
  });

  it('Ctrl+Shift+C copies the username (an OAuth client: its client ID) through Rust', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('option', { name: /^Grafana admin/ }));
    await user.keyboard('{Control>}{Shift>}c{/Shift}{/Control}');
    await waitFor(() => {
      expect(be.callsOf('item_copy_plain').map((c) => c.args)).toEqual([
        { id: idOf(be, 'Grafana admin'), field: 'username' },
      ]);
    });
    expect((await screen.findByTestId('toast')).textContent).toContain('Copied username');
    expect(be.callsOf('item_copy_main')).toHaveLength(0);
  });

  it('leaves Ctrl+C alone over selected text and in other fields', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    const search = screen.getByRole<HTMLInputElement>('searchbox', { name: 'Search items' });
    await user.click(search);
    await user.keyboard('stripe');
    search.setSelectionRange(0, 3);
    await user.keyboard('{Control>}c{/Control}');
    expect(be.callsOf('item_copy_main')).toHaveLength(0);
    // A dialog owns the keyboard.
    await user.keyboard('{Control>}n{/Control}');
    const dialog = screen.getByRole('dialog', { name: 'New item' });
    await user.keyboard('{Control>}c{/Control}');
    expect(be.callsOf('item_copy_main')).toHaveLength(0);
    expect(dialog.isConnected).toBe(true);
  });

  it('? lists every shortcut, but not while typing', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('searchbox', { name: 'Search items' }));
    await user.keyboard('?');
    expect(screen.queryByRole('dialog', { name: 'Keyboard shortcuts' })).toBeNull();
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('option', { name: /^Grafana admin/ }));
    await user.keyboard('?');
    const d = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(d.textContent).toContain('Ctrl+C');
    expect(d.textContent).toContain('Copy its main secret');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Keyboard shortcuts' })).toBeNull();
  });
});

describe('changes made outside the window', () => {
  it('lists again at once on items-changed, with no focus change', async () => {
    const be = fakeBackend();
    await openMain();
    const added = item({ name: 'Added by the CLI' });
    be.items.set(added.detail.id, added);
    await outsideChange();
    await waitFor(() => {
      expect(rowNames()).toContain('Added by the CLI');
    });
  });

  it('says when the item on screen was deleted elsewhere', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('option', { name: /^Grafana admin/ }));
    be.items.delete(idOf(be, 'Grafana admin'));
    await outsideChange();
    expect((await screen.findByText('“Grafana admin” was deleted outside this window.')).isConnected).toBe(true);
    expect(rowNames()).not.toContain('Grafana admin');
  });

  it('an open edit form keeps what was typed and says the item changed, or went away', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('option', { name: /^Grafana admin/ }));
    const detail = await screen.findByTestId('detail');
    await waitFor(() => {
      expect(within(detail).getByRole('heading', { level: 2 }).textContent).toBe('Grafana admin');
    });
    await user.click(within(detail).getByRole('button', { name: 'Edit' }));
    const dialog = screen.getByRole('dialog', { name: /^Edit Grafana admin/ });
    const name = within(dialog).getByLabelText(/^Name/);
    await user.clear(name);
    await user.type(name, 'Grafana (admin)');

    const it = [...be.items.values()].find((i) => i.detail.name === 'Grafana admin');
    if (!it) throw new Error('no item');
    it.detail = { ...it.detail, updated_at: it.detail.updated_at + 60, tags: ['prod', 'ops'] };
    await outsideChange();
    expect((await within(dialog).findByTestId('form-outside')).textContent).toContain('changed outside this window');
    expect(within(dialog).getByLabelText<HTMLInputElement>(/^Name/).value).toBe('Grafana (admin)');

    be.items.delete(it.detail.id);
    await outsideChange();
    await waitFor(() => {
      expect(within(dialog).getByTestId('form-outside').textContent).toContain('deleted outside this window');
    });
    expect(within(dialog).getByLabelText<HTMLInputElement>(/^Name/).value).toBe('Grafana (admin)');
    // Saving adds it again rather than failing on a missing item.
    await user.click(within(dialog).getByRole('button', { name: /^Save/ }));
    await waitFor(() => {
      expect(be.callsOf('item_add')).toHaveLength(1);
    });
    expect(be.callsOf('item_update')).toHaveLength(0);
  });
});

describe('layout', () => {
  it('the toast sits in the status bar, over nothing that can be clicked', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    await user.click(screen.getByRole('option', { name: /^Grafana admin/ }));
    await user.keyboard('{Control>}c{/Control}');
    const toast = await screen.findByTestId('toast');
    expect(toast.closest('footer')?.className).toContain('statusbar');
  });

  it('the menu button opens the sidebar as a drawer, and a choice closes it', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    const menu = screen.getByRole('button', { name: 'Show the sidebar' });
    expect(menu.getAttribute('aria-expanded')).toBe('false');
    await user.click(menu);
    expect(menu.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByTestId('sidebar').className).toContain('sidebar-drawer');
    await user.click(within(screen.getByTestId('sidebar')).getByRole('button', { name: /^Timeline/ }));
    expect(screen.getByTestId('sidebar').className).not.toContain('sidebar-drawer');
    expect(await screen.findByTestId('timeline')).toBeTruthy();
  });

  it('the tag list folds away', async () => {
    fakeBackend();
    const user = userEvent.setup();
    await openMain();
    const nav = screen.getByRole('navigation', { name: 'Views' });
    expect(within(nav).getByRole('button', { name: /^payments/ })).toBeTruthy();
    await user.click(within(nav).getByRole('button', { name: /Tags/ }));
    expect(within(nav).queryByRole('button', { name: /^payments/ })).toBeNull();
  });
});
