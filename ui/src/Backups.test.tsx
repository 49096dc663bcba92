// Encrypted backups in the app: Settings → Backups (last backup, folder, automatic on/off,
// Back up now, the snapshots) and the first-run "Restore from backup", against the fake
// backend (src/test/backend.ts).
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { BACKUP_DEFAULT, backendError, fakeBackend, NOW, PATH } from './test/backend';

type User = ReturnType<typeof userEvent.setup>;

async function openBackups(user: User) {
  render(<App />);
  await screen.findByRole('listbox', { name: 'All items' });
  await user.click(screen.getByRole('button', { name: 'Settings' }));
  const dialog = await screen.findByRole('dialog', { name: 'Settings' });
  return within(dialog).findByTestId('backups');
}

describe('Settings → Backups', () => {
  it('says there is no backup yet, turns automatic backups on and backs up now', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const section = within(await openBackups(user));
    expect(section.getByTestId('backup-last').textContent).toBe('No backup yet.');
    const folder = section.getByLabelText<HTMLInputElement>('Backup folder');
    // The default folder is shown as the placeholder, the field left empty.
    expect(folder.value).toBe('');
    expect(folder.placeholder).toBe(BACKUP_DEFAULT);
    const auto = section.getByLabelText<HTMLInputElement>('Back up automatically');
    expect(auto.checked).toBe(false);

    await user.click(auto);
    expect(await section.findByText('Automatic backups are on.')).toBeTruthy();
    expect(be.callsOf('backup_set')[0]?.args).toEqual({ folder: null, auto: true });
    expect(auto.checked).toBe(true);
    // Turning them on took the first backup.
    expect(section.getByTestId('backup-last').textContent).toMatch(/^Last backup just now \(.+, 54 KiB, 6 items\); 1 in the folder\.$/);

    await user.click(section.getByRole('button', { name: 'Back up now' }));
    expect(await section.findByText(/^Backed up to \/home\/dev\/\.local\/share\/keywright\/backups\/keywright-1a2b3c4d-\d+\.kwbak\.db \(54 KiB\)\.$/)).toBeTruthy();
    expect(be.callsOf('backup_now')).toHaveLength(1);
    await waitFor(() => {
      expect(section.getByTestId('backup-last').textContent).toContain('; 2 in the folder.');
    });
    await user.click(section.getByText('Snapshots in the folder (2)'));
    const rows = within(section.getByRole('list', { name: 'Snapshots' })).getAllByRole('listitem');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain('54 KiB');
    expect(rows[0]?.textContent).toContain('6 items');
  });

  it('moves backups to another folder; a relative or unwritable one is refused on the field', async () => {
    const be = fakeBackend({ backup: { auto: true, folder: null } });
    const user = userEvent.setup();
    const section = within(await openBackups(user));
    const folder = section.getByLabelText('Backup folder');
    const use = section.getByRole('button', { name: 'Use this folder' });
    expect((use as HTMLButtonElement).disabled).toBe(true);

    await user.type(folder, 'usb/keywright');
    await user.click(use);
    const msg = await section.findByText('“usb/keywright” is not a full path. Give the whole path, starting with / (or a drive letter).');
    expect(msg.getAttribute('role')).toBe('alert');
    expect(folder.getAttribute('aria-invalid')).toBe('true');
    // Typing again clears the message.
    await user.clear(folder);
    expect(folder.getAttribute('aria-invalid')).toBe('false');

    await user.type(folder, '/unwritable/kw');
    await user.keyboard('{Enter}');
    expect(await section.findByText('Cannot create directory /unwritable/kw: Permission denied (os error 13)')).toBeTruthy();

    await user.clear(folder);
    await user.type(folder, '/media/usb/keywright');
    await user.click(use);
    await waitFor(() => {
      expect(section.getByTestId('backup-last').textContent).toContain('; 1 in the folder.');
    });
    expect(be.callsOf('backup_set').at(-1)?.args).toEqual({ folder: '/media/usb/keywright', auto: true });
    expect((folder as HTMLInputElement).value).toBe('/media/usb/keywright');
  });

  it('lists incomplete snapshots as such and shows why the last automatic backup failed', async () => {
    fakeBackend({
      backup: {
        auto: true,
        folder: null,
        last_error: 'Cannot create directory /media/usb: No such file or directory (os error 2)',
        snapshots: [
          {
            path: `${BACKUP_DEFAULT}/keywright-1a2b3c4d-20261202T101500Z.kwbak.db`,
            taken_at: NOW - 3600,
            size: 2048,
            items: null,
            complete: false,
            problem: 'it was cut short or not fully written',
          },
          {
            path: `${BACKUP_DEFAULT}/keywright-1a2b3c4d-20261201T101500Z.kwbak.db`,
            taken_at: NOW - 86400,
            size: 3 * 1024 * 1024,
            items: 1,
            complete: true,
            problem: null,
          },
        ],
      },
    });
    const user = userEvent.setup();
    const section = within(await openBackups(user));
    expect(section.getByTestId('backup-last').textContent).toMatch(/^Last backup 1 day ago \(.+, 3\.0 MiB, 1 item\); 1 in the folder\.$/);
    expect(section.getByRole('alert').textContent).toBe(
      'The last automatic backup failed: Cannot create directory /media/usb: No such file or directory (os error 2)',
    );
    await user.click(section.getByText('Snapshots in the folder (2)'));
    const rows = within(section.getByRole('list', { name: 'Snapshots' })).getAllByRole('listitem');
    expect(rows[0]?.textContent).toContain('incomplete: it was cut short or not fully written');
    expect(rows[1]?.textContent).toContain('1 item');
  });

  it('says why Back up now failed', async () => {
    fakeBackend({
      on: { backup_now: () => backendError('io', 'Cannot write /home/dev/backups: No space left on device (os error 28)') },
    });
    const user = userEvent.setup();
    const section = within(await openBackups(user));
    await user.click(section.getByRole('button', { name: 'Back up now' }));
    expect((await section.findByRole('alert')).textContent).toBe(
      'Cannot write /home/dev/backups: No space left on device (os error 28)',
    );
  });
});

describe('first run: Restore from backup', () => {
  it('restores a backup file, then asks for the password it had', async () => {
    const be = fakeBackend({ state: 'none' });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Restore from backup' }));
    expect(screen.getByRole('heading', { name: 'Restore from backup' })).toBeTruthy();
    expect(screen.getByText(PATH)).toBeTruthy();
    const file = screen.getByLabelText('Backup file');

    // Nothing typed.
    await user.click(screen.getByRole('button', { name: 'Restore' }));
    expect(screen.getByText('Enter the full path of the backup file.')).toBeTruthy();
    expect(be.callsOf('backup_restore')).toHaveLength(0);

    // A file that is not a backup: the message goes next to the field.
    await user.type(file, '/home/dev/notes.txt');
    await user.click(screen.getByRole('button', { name: 'Restore' }));
    const bad = await screen.findByText(/is not a usable Keywright backup: it is not a SQLite database/);
    expect(bad.getAttribute('role')).toBe('alert');
    expect(file.getAttribute('aria-invalid')).toBe('true');

    await user.clear(file);
    await user.type(file, '/media/usb/keywright-1a2b3c4d-20261202T101500Z.kwbak.db');
    await user.click(screen.getByRole('button', { name: 'Restore' }));
    // The unlock screen, with what happened.
    expect(await screen.findByLabelText('Master password')).toBeTruthy();
    expect(
      screen.getByText('Restored from the backup. Unlock it with the master password it had when the backup was taken.'),
    ).toBeTruthy();
    expect(be.callsOf('backup_restore')[1]?.args).toEqual({
      snapshot: '/media/usb/keywright-1a2b3c4d-20261202T101500Z.kwbak.db',
    });
    expect(be.callsOf('vault_create')).toHaveLength(0);
  });

  it('goes back to creating a vault', async () => {
    fakeBackend({ state: 'none' });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Restore from backup' }));
    await user.click(screen.getByRole('button', { name: 'Create a new vault instead' }));
    expect(screen.getByRole('heading', { name: 'Create your Keywright vault' })).toBeTruthy();
  });
});
