import { useMemo } from 'react';
import type { ItemSummary } from '../bindings/ItemSummary';
import { formatDate, KIND_LABEL, nowSeconds, relative } from '../lib/format';
import { type Due, timeline } from '../lib/timeline';
import { KindIcon } from './Icons';
import { StatusBadge } from './StatusBadge';

interface Props {
  items: readonly ItemSummary[];
  /** Show the item in the Items view. */
  onOpen: (id: string) => void;
}

const GROUP_TITLE: Record<Due['group'], string> = {
  now: 'Needs attention now',
  week: 'This week',
  later: 'Later',
  none: 'No expiry',
};

const GROUP_EMPTY: Record<Due['group'], string> = {
  now: 'Nothing is expired or waiting for a login.',
  week: 'Nothing expires in the next 7 days.',
  later: 'Nothing further ahead.',
  none: '',
};

/** One expiry timeline for every credential: what Rust's expiry computation says (the
 * items' status, expiry and rotation dates), soonest first, in four groups. */
export function TimelineView({ items, onOpen }: Props) {
  const now = nowSeconds();
  const groups = useMemo(() => timeline(items, now), [items, now]);
  return (
    <section className="timeline" aria-label="Expiry timeline" data-testid="timeline">
      <div className="codes-head">
        <h2>Expiry timeline</h2>
        <span className="muted">
          {groups.now.length.toLocaleString()} need attention · {groups.week.length.toLocaleString()} this week
        </span>
      </div>
      <div className="timeline-scroll">
        {(['now', 'week', 'later', 'none'] as const).map((g) => (
          <div key={g} className={`timeline-group tl-${g}`} data-group={g}>
            <h3>
              {GROUP_TITLE[g]} <span className="muted">{groups[g].length.toLocaleString()}</span>
            </h3>
            {groups[g].length === 0 ? (
              GROUP_EMPTY[g] !== '' && <p className="muted small">{GROUP_EMPTY[g]}</p>
            ) : (
              <ul>
                {groups[g].slice(0, g === 'none' ? 200 : 1000).map((d) => (
                  <li key={d.item.id}>
                    <button
                      type="button"
                      className="timeline-row"
                      onClick={() => {
                        onOpen(d.item.id);
                      }}
                    >
                      <KindIcon kind={d.item.kind} size={18} />
                      <span className="tl-name">
                        <span className="tl-title">{d.item.name}</span>
                        <span className="muted small">{KIND_LABEL[d.item.kind]}</span>
                      </span>
                      <StatusBadge status={d.item.status} />
                      <span className="tl-when" title={d.at !== null ? formatDate(d.at) : undefined}>
                        {d.at === null || d.reason === 'needs a new login' ? d.reason : `${d.reason} ${relative(d.at)}`}
                      </span>
                    </button>
                  </li>
                ))}
                {g === 'none' && groups.none.length > 200 && (
                  <li className="muted small">and {(groups.none.length - 200).toLocaleString()} more</li>
                )}
              </ul>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
