import { type ReactNode, useState } from 'react';
import type { Kind } from '../bindings/Kind';
import { KIND_PLURAL } from '../lib/format';
import { LIST_KINDS, type Nav, navKey, type View } from '../lib/nav';
import { BrandMark } from './BrandMark';
import { Icon, KindIcon } from './Icons';

export interface SidebarCounts {
  all: number;
  attention: number;
  codes: number;
  trash: number;
  /** Items with a sync conflict: the Conflicts entry shows only when there are some. */
  conflicts: number;
  kinds: ReadonlyMap<Kind, number>;
  tags: readonly (readonly [string, number])[];
}

interface Props {
  view: View;
  nav: Nav;
  counts: SidebarCounts;
  /** Ctrl+ or ⌘, for the shortcut hints. */
  mod: string;
  onNav: (n: Nav) => void;
  onView: (v: View) => void;
  /** Narrow windows show the sidebar as a drawer over the workspace. */
  drawer: boolean;
  onCloseDrawer: () => void;
}

/** The one navigation of the main window: views first (what a user opens fifty times a
 * day), then the list's filters by kind, then the tags (folded away when there are many). */
export function Sidebar({ view, nav, counts, mod, onNav, onView, drawer, onCloseDrawer }: Props) {
  const [tagsOpen, setTagsOpen] = useState(true);

  const entry = (key: string, on: boolean, label: ReactNode, icon: ReactNode, n: number | null, go: () => void, title?: string) => (
    <li key={key}>
      <button
        type="button"
        className={`nav-item${on ? ' on' : ''}`}
        aria-current={on ? 'page' : undefined}
        title={title}
        data-nav={key}
        onClick={() => {
          go();
          onCloseDrawer();
        }}
      >
        {icon}
        <span className="nav-label">{label}</span>
        {n !== null && <span className="nav-count">{n.toLocaleString()}</span>}
      </button>
    </li>
  );

  const listEntry = (n: Nav, label: ReactNode, k: number, icon: ReactNode, title?: string) =>
    entry(
      navKey(n),
      view === 'items' && navKey(n) === navKey(nav),
      label,
      icon,
      k,
      () => {
        onNav(n);
      },
      title,
    );

  const viewEntry = (v: View, label: string, icon: ReactNode, k: number | null, title: string) =>
    entry(
      `view:${v}`,
      view === v,
      label,
      icon,
      k,
      () => {
        onView(v);
      },
      title,
    );

  return (
    <aside className={`sidebar${drawer ? ' sidebar-drawer' : ''}`} aria-label="Vault" data-testid="sidebar">
      <div className="sidebar-brand">
        <BrandMark />
        <span>Keywright</span>
      </div>
      <nav aria-label="Views">
        <ul>
          {listEntry({ t: 'all' }, 'All items', counts.all, <Icon name="all" />, `All items (${mod}1)`)}
          {listEntry(
            { t: 'attention' },
            'Needs attention',
            counts.attention,
            <Icon name="alert" />,
            'Expired, expiring, due for rotation or waiting for a login',
          )}
          {viewEntry('codes', '2FA codes', <Icon name="codes" />, counts.codes, `Live 2FA codes (${mod}2)`)}
          {viewEntry('timeline', 'Timeline', <Icon name="timeline" />, null, `Expiry timeline (${mod}3)`)}
          {viewEntry('requests', 'Requests', <Icon name="requests" />, null, `Test requests (${mod}4)`)}
          {viewEntry('jwt', 'JWT debugger', <Icon name="jwt" />, null, 'Decode and verify any JWT, on this computer')}
          {(counts.conflicts > 0 || view === 'conflicts') &&
            viewEntry(
              'conflicts',
              'Conflicts',
              <Icon name="conflict" />,
              counts.conflicts,
              'Items changed on two devices before they synced: choose the version to keep',
            )}
          {viewEntry('trash', 'Trash', <Icon name="trash" />, counts.trash, 'Deleted items, kept 30 days')}
        </ul>
        <h3 className="nav-head">Kinds</h3>
        <ul>
          {LIST_KINDS.map((k) =>
            listEntry({ t: 'kind', kind: k }, KIND_PLURAL[k], counts.kinds.get(k) ?? 0, <KindIcon kind={k} />),
          )}
        </ul>
        {counts.tags.length > 0 && (
          <div className="nav-tags-wrap">
            <h3 className="nav-head">
              <button
                type="button"
                className="nav-fold"
                aria-expanded={tagsOpen}
                onClick={() => {
                  setTagsOpen((o) => !o);
                }}
              >
                <Icon name="chevron" size={12} />
                Tags <span className="nav-count">{counts.tags.length.toLocaleString()}</span>
              </button>
            </h3>
            {tagsOpen && (
              <ul className="nav-tags">
                {counts.tags.map(([t, n]) => listEntry({ t: 'tag', tag: t }, t, n, <Icon name="tag" />))}
              </ul>
            )}
          </div>
        )}
      </nav>
    </aside>
  );
}
