// The Trash wired into the main window: delete → Undo; the sidebar's Trash with its count.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { fakeBackend } from './test/backend';

function rowNames(): string[] {
  return screen.queryAllByRole('option').map((o) => o.querySelector('.row-name')?.textContent ?? '');
}

async function deleteItem(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.click(screen.getByRole('option', { name: new RegExp(`^${name}`) }));
  const detail = screen.getByTestId('detail');
  await waitFor(() => {
    expect(within(detail).getByRole('heading', { level: 2 }).textContent).toBe(name);
  });
  await user.click(within(detail).getByRole('button', { name: 'Delete' }));
  const dialog = screen.getByRole('dialog', { name: `Delete “${name}”?` });
  expect(dialog.textContent).toContain('moves to the Trash');
  await user.click(within(dialog).getByRole('button', { name: 'Move to Trash' }));
}

describe('the Trash in the main window', () => {
  it('deletes to the Trash, and Undo brings the item back', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole('listbox', { name: 'All items' });
    await deleteItem(user, 'Stripe staging');
    const toast = await screen.findByTestId('undo-toast');
    expect(toast.textContent).toContain('Moved “Stripe staging” to Trash');
    await waitFor(() => {
      expect(rowNames()).not.toContain('Stripe staging');
    });
    const trashNav = screen.getByRole('button', { name: /^Trash/ });
    await waitFor(() => {
      expect(trashNav.textContent).toContain('1');
    });
    await user.click(within(toast).getByRole('button', { name: 'Undo' }));
    await waitFor(() => {
      expect(rowNames()).toContain('Stripe staging');
    });
    expect(be.callsOf('item_restore').map((c) => c.args)).toEqual([{ id: 'id-2', name: null }]);
    expect(screen.queryByTestId('undo-toast')).toBeNull();
    await waitFor(() => {
      expect(trashNav.textContent).toContain('0');
    });
  });

  it('opens the Trash from the sidebar and restores from there', async () => {
    fakeBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole('listbox', { name: 'All items' });
    await deleteItem(user, 'Grafana admin');
    await screen.findByTestId('undo-toast');
    await user.click(screen.getByRole('button', { name: /^Trash/ }));
    const trash = await screen.findByTestId('trash');
    await user.click(await within(trash).findByRole('button', { name: 'Restore “Grafana admin”' }));
    await within(trash).findByText('The Trash is empty');
  });
});
