import { Dialog } from './Dialog';

interface Props {
  mod: string;
  onClose: () => void;
}

/** Every keyboard shortcut of the main window (`?`). */
export function ShortcutsDialog({ mod, onClose }: Props) {
  const groups: [string, [string, string][]][] = [
    [
      'Anywhere',
      [
        [`${mod}K`, 'Search (items, or codes in the 2FA view)'],
        [`${mod}N`, 'New item'],
        [`${mod}L`, 'Lock the vault'],
        [`${mod}1 … ${mod}4`, 'All items · 2FA codes · Timeline · Requests'],
        ['?', 'This list'],
      ],
    ],
    [
      'An item selected (in the list, the search box or its page)',
      [
        [`${mod}C`, 'Copy its main secret: the code of a 2FA item, the access token of an OAuth client'],
        [`${mod}Shift+C`, 'Copy its username or client ID'],
        ['↑ ↓ PgUp PgDn Home End', 'Move in the list'],
        ['Enter', 'Open the item'],
        ['Escape', 'Back to the list; in the search box, clear it'],
      ],
    ],
    [
      '2FA codes',
      [
        ['↑ ↓ ← →', 'Move between codes'],
        ['Enter or a click', 'Copy the code'],
      ],
    ],
    [
      'Request console',
      [[`${mod}Enter`, 'Send the request']],
    ],
  ];
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} wide>
      <div className="dialog-body shortcuts" data-testid="shortcuts">
        {groups.map(([title, rows]) => (
          <section key={title}>
            <h3>{title}</h3>
            <dl>
              {rows.map(([k, what]) => (
                <div key={k} className="shortcut">
                  <dt>
                    <kbd>{k}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Dialog>
  );
}
