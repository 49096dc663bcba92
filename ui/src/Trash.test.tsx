// The Trash view, the Undo toast and the delete confirmation, against the fake backend.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { MoveToTrashDialog } from './components/MoveToTrashDialog';
import { daysLeftText, TrashView } from './components/TrashView';
import { UNDO_MS, UndoToast } from './components/UndoToast';
import { itemDelete, itemRestore } from './lib/ipc';
import { ACTION_LABEL } from './lib/format';
import { backendError, DAY, fakeBackend, item, NOW, sampleItems } from './test/backend';

function rows(): HTMLElement[] {
  return screen.queryAllByTestId('trash-row');
}

function rowNames(): string[] {
  return rows().map((r) => r.querySelector('.tl-title')?.textContent ?? '');
}

/** A backend whose Trash holds "Old key" (deleted 29 days ago) and "GitHub token" (1 hour
 * ago); "Stripe staging" is in the vault and also in the Trash (a name taken since). */
function trashBackend() {
  const items = sampleItems();
  const oldKey = item({ name: 'Old key' });
  const github = item({ name: 'GitHub token', kind: 'bearer' });
  const staging = item({ name: 'Stripe staging' });
  return fakeBackend({
    items,
    trash: [
      { item: oldKey, deleted_at: NOW - 29 * DAY - 600 },
      { item: github, deleted_at: NOW - 3600 },
      { item: staging, deleted_at: NOW - 2 * DAY },
    ],
  });
}

describe('TrashView', () => {
  it('lists what is in the Trash, newest first, with the days left', async () => {
    trashBackend();
    const onCount = vi.fn();
    render(<TrashView onCount={onCount} />);
    await waitFor(() => {
      expect(rowNames()).toEqual(['GitHub token', 'Stripe staging', 'Old key']);
    });
    const left = screen.getAllByTestId('trash-days-left').map((e) => e.textContent);
    expect(left).toEqual(['30 days left', '28 days left', '1 day left']);
    expect(screen.getAllByTestId('trash-days-left')[2]?.className).toContain('trash-left-soon');
    expect(within(rows()[0] as HTMLElement).getByText(/Bearer token · deleted 1 hour ago/)).toBeTruthy();
    expect(onCount).toHaveBeenLastCalledWith(3);
    expect(screen.getByText(/stay here 30 days/)).toBeTruthy();
  });

  it('restores an item and tells the parent', async () => {
    const be = trashBackend();
    const user = userEvent.setup();
    const onRestored = vi.fn();
    const onCount = vi.fn();
    render(<TrashView onRestored={onRestored} onCount={onCount} />);
    await user.click(await screen.findByRole('button', { name: 'Restore “GitHub token”' }));
    await waitFor(() => {
      expect(rowNames()).toEqual(['Stripe staging', 'Old key']);
    });
    const args = be.callsOf('item_restore')[0]?.args;
    expect(args).toMatchObject({ name: null });
    expect(onRestored).toHaveBeenCalledWith(expect.objectContaining({ name: 'GitHub token' }));
    expect(onCount).toHaveBeenLastCalledWith(2);
    expect([...be.items.values()].map((i) => i.detail.name)).toContain('GitHub token');
  });

  it('asks for a new name when another item has taken its name', async () => {
    const be = trashBackend();
    const user = userEvent.setup();
    const onRestored = vi.fn();
    render(<TrashView onRestored={onRestored} />);
    await user.click(await screen.findByRole('button', { name: 'Restore “Stripe staging”' }));
    const form = await screen.findByRole('form', { name: 'Restore “Stripe staging” under a new name' });
    expect(within(form).getByRole('alert').textContent).toContain('another item has that name now');
    const input = within(form).getByLabelText<HTMLInputElement>('Restore as');
    expect(input.value).toBe('Stripe staging (restored)');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    // Typing clears the old error.
    await user.clear(input);
    expect(within(form).queryByRole('alert')).toBeNull();
    // A name that is still taken is refused again, in place.
    await user.type(input, 'stripe staging');
    await user.click(within(form).getByRole('button', { name: 'Restore as new name' }));
    await waitFor(() => {
      expect(within(form).getByRole('alert').textContent).toContain('"stripe staging"');
    });
    expect(onRestored).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, 'Stripe staging (old)');
    await user.click(within(form).getByRole('button', { name: 'Restore as new name' }));
    await waitFor(() => {
      expect(rowNames()).toEqual(['GitHub token', 'Old key']);
    });
    expect(be.callsOf('item_restore').at(-1)?.args).toMatchObject({ name: 'Stripe staging (old)' });
    expect(onRestored).toHaveBeenCalledWith(expect.objectContaining({ name: 'Stripe staging (old)' }));
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('deletes one item forever only after confirming', async () => {
    const be = trashBackend();
    const user = userEvent.setup();
    render(<TrashView />);
    await user.click(await screen.findByRole('button', { name: 'Delete “Old key” forever' }));
    let dialog = screen.getByRole('dialog', { name: 'Delete “Old key” forever?' });
    expect(dialog.textContent).toContain('cannot be undone');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(be.callsOf('item_purge')).toHaveLength(0);
    expect(rowNames()).toContain('Old key');

    await user.click(screen.getByRole('button', { name: 'Delete “Old key” forever' }));
    dialog = screen.getByRole('dialog', { name: 'Delete “Old key” forever?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete forever' }));
    await waitFor(() => {
      expect(rowNames()).toEqual(['GitHub token', 'Stripe staging']);
    });
    expect(be.callsOf('item_purge')).toHaveLength(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('empties the Trash after confirming, then says it is empty', async () => {
    const be = trashBackend();
    const user = userEvent.setup();
    const onCount = vi.fn();
    render(<TrashView onCount={onCount} />);
    await screen.findAllByTestId('trash-row');
    await user.click(screen.getByRole('button', { name: 'Empty Trash' }));
    const dialog = screen.getByRole('dialog', { name: 'Empty the Trash?' });
    expect(dialog.textContent).toContain('The 3 items in the Trash are deleted for good');
    await user.click(within(dialog).getByRole('button', { name: 'Delete 3 items forever' }));
    await screen.findByText('The Trash is empty');
    expect(be.callsOf('trash_empty')).toHaveLength(1);
    expect(onCount).toHaveBeenLastCalledWith(0);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Empty Trash' }).disabled).toBe(true);
  });

  it('offers only Delete forever for a damaged row, and shows failures', async () => {
    const be = fakeBackend({
      trashDamaged: [{ id: 'bad-1', reason: 'item bad-1 failed its integrity check (overview)' }],
      on: {
        item_purge: () => backendError('database', 'vault database error: database is locked'),
      },
    });
    const user = userEvent.setup();
    render(<TrashView />);
    expect(await screen.findByText('Damaged item bad-1')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Restore/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Delete damaged item bad-1 forever' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete forever' }));
    expect((await screen.findByRole('alert')).textContent).toContain('database is locked');
    expect(be.callsOf('item_purge')).toHaveLength(1);
  });

  it('lists again when its version changes', async () => {
    const be = fakeBackend();
    const { rerender } = render(<TrashView version={0} />);
    await screen.findByText('The Trash is empty');
    await act(async () => {
      await itemDelete('id-1');
    });
    rerender(<TrashView version={1} />);
    await waitFor(() => {
      expect(rowNames()).toEqual(['Stripe production']);
    });
    expect(be.callsOf('trash_list')).toHaveLength(2);
  });

  it('words the days left', () => {
    expect(daysLeftText(30)).toBe('30 days left');
    expect(daysLeftText(1)).toBe('1 day left');
    expect(daysLeftText(0)).toBe('deleted for good today');
  });
});

describe('UndoToast', () => {
  it('undoes, then closes', async () => {
    const onUndo = vi.fn(() => Promise.resolve());
    const onDone = vi.fn();
    const user = userEvent.setup();
    render(<UndoToast message="Moved “Stripe” to Trash" onUndo={onUndo} onDone={onDone} />);
    expect(screen.getByTestId('undo-toast').textContent).toContain('Moved “Stripe” to Trash');
    await user.click(screen.getByRole('button', { name: 'Undo' }));
    expect(onUndo).toHaveBeenCalledTimes(1);
    await waitFor(() => {
      expect(onDone).toHaveBeenCalledTimes(1);
    });
  });

  it('goes by itself after 8 seconds, not before', () => {
    vi.useFakeTimers();
    try {
      const onUndo = vi.fn();
      const onDone = vi.fn();
      render(<UndoToast message="Moved “Stripe” to Trash" onUndo={onUndo} onDone={onDone} />);
      act(() => {
        vi.advanceTimersByTime(UNDO_MS - 100);
      });
      expect(onDone).not.toHaveBeenCalled();
      act(() => {
        vi.advanceTimersByTime(200);
      });
      expect(onDone).toHaveBeenCalledTimes(1);
      expect(onUndo).not.toHaveBeenCalled();
      expect(UNDO_MS).toBe(8000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('undoes on Ctrl+Z, but not while typing in a field', async () => {
    const onUndo = vi.fn();
    const onDone = vi.fn();
    render(
      <>
        <input aria-label="Search" />
        <UndoToast message="Moved “Stripe” to Trash" onUndo={onUndo} onDone={onDone} />
      </>,
    );
    fireEvent.keyDown(screen.getByLabelText('Search'), { key: 'z', ctrlKey: true });
    expect(onUndo).not.toHaveBeenCalled();
    fireEvent.keyDown(document.body, { key: 'z', ctrlKey: true });
    expect(onUndo).toHaveBeenCalledTimes(1);
    await waitFor(() => {
      expect(onDone).toHaveBeenCalledTimes(1);
    });
  });

  it('dismisses without undoing', async () => {
    const onUndo = vi.fn();
    const onDone = vi.fn();
    const user = userEvent.setup();
    render(<UndoToast message="Moved “Stripe” to Trash" onUndo={onUndo} onDone={onDone} />);
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(onDone).toHaveBeenCalledTimes(1);
    expect(onUndo).not.toHaveBeenCalled();
  });

  it('closes when the undo fails (the caller shows the error)', async () => {
    const onDone = vi.fn();
    const user = userEvent.setup();
    render(
      <UndoToast message="Moved “Stripe” to Trash" onUndo={() => Promise.reject(new Error('no'))} onDone={onDone} />,
    );
    await user.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => {
      expect(onDone).toHaveBeenCalledTimes(1);
    });
  });

  it('restores through the backend: delete then Undo brings the item back', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const t = await itemDelete('id-2');
    expect(t).toMatchObject({ name: 'Stripe staging', in_trash: true });
    expect(be.items.has('id-2')).toBe(false);
    const onDone = vi.fn();
    render(
      <UndoToast
        message={`Moved “${t.name ?? ''}” to Trash`}
        onUndo={async () => {
          await itemRestore(t.id);
        }}
        onDone={onDone}
      />,
    );
    await user.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => {
      expect(onDone).toHaveBeenCalled();
    });
    expect(be.items.has('id-2')).toBe(true);
    expect(be.trash.size).toBe(0);
  });
});

describe('MoveToTrashDialog', () => {
  it('says the item goes to the Trash for 30 days', async () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    const user = userEvent.setup();
    render(<MoveToTrashDialog item={{ name: 'Stripe staging', kind: 'api_key' }} onConfirm={onConfirm} onCancel={onCancel} />);
    const dialog = screen.getByRole('dialog', { name: 'Delete “Stripe staging”?' });
    expect(dialog.textContent).toContain('moves to the Trash');
    expect(dialog.textContent).toContain('for 30 days');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
    await user.click(within(dialog).getByRole('button', { name: 'Move to Trash' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });
});

describe('audit labels', () => {
  it('names the Trash actions', () => {
    expect(ACTION_LABEL.trash).toBe('Moved to Trash');
    expect(ACTION_LABEL.restore).toBe('Restored');
    expect(ACTION_LABEL.purge).toBe('Deleted forever');
  });
});
