import { useMemo, useState } from 'react';
import type { ItemSummary } from '../bindings/ItemSummary';
import { formatDate, formatDateTime, KIND_LABEL, nowSeconds, relative } from '../lib/format';
import { type ItemDetail, itemGet, itemSnooze, oauthRenew, toIpcError } from '../lib/ipc';
import { type Due, timeline } from '../lib/timeline';
import { KindIcon } from './Icons';
import { MenuButton } from './MenuButton';
import { RotateDialog } from './RotateDialog';
import { StatusBadge } from './StatusBadge';

interface Props {
  items: readonly ItemSummary[];
  /** Show the item in the Items view. */
  onOpen: (id: string) => void;
  /** After an action changed an item (rotated, snoozed, renewed): the window lists again.
   * The timeline shows the change at once either way. */
  onChanged?: (detail: ItemDetail) => void;
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

const SNOOZE_CHOICES = [
  { key: '1', label: '1 day' },
  { key: '7', label: '7 days' },
  { key: '30', label: '30 days' },
] as const;

/** What can be done from a row. 2FA items are not rotated; a snooze hides a reminder or an
 * "expiring" notice, never an expiry or a refused login; Renew needs a refresh token (or
 * client credentials). */
export function rowActions(d: Due): { rotate: boolean; snooze: boolean; renew: boolean } {
  const it = d.item;
  const dated = d.group !== 'none';
  return {
    rotate: dated && it.kind !== 'totp',
    snooze:
      dated &&
      it.status !== 'expired' &&
      it.status !== 'reauth_required' &&
      (it.rotation_due_at !== null || it.expires_at !== null),
    renew: dated && it.kind === 'oauth2' && it.renewable,
  };
}

type Notice = { kind: 'ok' | 'error'; text: string } | null;

/** One expiry timeline for every credential: what Rust's expiry computation says (the
 * items' status, expiry and rotation dates), soonest first, in four groups; each row can
 * be marked rotated, snoozed, renewed or opened. */
export function TimelineView({ items, onOpen, onChanged }: Props) {
  const now = nowSeconds();
  // What an action returned, shown until the window lists again (new `items`).
  const [patched, setPatched] = useState<{ from: readonly ItemSummary[]; items: Record<string, ItemSummary> }>({
    from: items,
    items: {},
  });
  if (patched.from !== items) setPatched({ from: items, items: {} });
  const shown = useMemo(
    () => (Object.keys(patched.items).length === 0 ? items : items.map((i) => patched.items[i.id] ?? i)),
    [items, patched],
  );
  const groups = useMemo(() => timeline(shown, now), [shown, now]);
  const [rotating, setRotating] = useState<ItemSummary | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);

  const changed = (d: ItemDetail) => {
    setPatched((p) => ({ ...p, items: { ...p.items, [d.id]: d } }));
    onChanged?.(d);
  };

  const run = async (id: string, f: () => Promise<string>) => {
    setBusy(id);
    setNotice(null);
    try {
      setNotice({ kind: 'ok', text: await f() });
    } catch (e) {
      setNotice({ kind: 'error', text: toIpcError(e).message });
    } finally {
      setBusy(null);
    }
  };

  const snooze = (it: ItemSummary, days: number) =>
    void run(it.id, async () => {
      const d = await itemSnooze(it.id, days);
      changed(d);
      const until = d.snoozed_until ?? nowSeconds() + days * 86400;
      return `Snoozed ${it.name} until ${formatDate(until)}.`;
    });

  const renew = (it: ItemSummary) =>
    void run(it.id, async () => {
      await oauthRenew(it.id);
      changed(await itemGet(it.id));
      return `Renewed ${it.name}.`;
    });

  return (
    <section className="timeline" aria-label="Expiry timeline" data-testid="timeline">
      <div className="codes-head">
        <h2>Expiry timeline</h2>
        <span className="muted">
          {groups.now.length.toLocaleString()} need attention · {groups.week.length.toLocaleString()} this week
        </span>
      </div>
      {notice !== null && (
        <p
          className={`banner ${notice.kind === 'ok' ? 'banner-info' : 'banner-error'} tl-notice`}
          role={notice.kind === 'ok' ? 'status' : 'alert'}
          data-testid="timeline-notice"
        >
          {notice.text}
        </p>
      )}
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
                {groups[g].slice(0, g === 'none' ? 200 : 1000).map((d) => {
                  const it = d.item;
                  const can = rowActions(d);
                  return (
                    <li key={it.id} className="tl-item" data-testid={`tl-${it.id}`}>
                      <button
                        type="button"
                        className="timeline-row"
                        onClick={() => {
                          onOpen(it.id);
                        }}
                      >
                        <KindIcon kind={it.kind} size={18} />
                        <span className="tl-name">
                          <span className="tl-title">{it.name}</span>
                          <span className="muted small">{KIND_LABEL[it.kind]}</span>
                        </span>
                        <StatusBadge status={it.status} />
                        <span className="tl-when" title={d.at !== null ? formatDate(d.at) : undefined}>
                          {d.at === null || d.reason === 'needs a new login' ? d.reason : `${d.reason} ${relative(d.at)}`}
                          {it.snoozed_until !== null && (
                            <span
                              className="tl-snoozed"
                              title={`The reminder is hidden until ${formatDateTime(it.snoozed_until)}. A snooze never hides an expiry: an expired credential shows as expired.`}
                            >
                              snoozed until {formatDate(it.snoozed_until)}
                            </span>
                          )}
                        </span>
                      </button>
                      {g !== 'none' && (
                        <div className="tl-actions" role="group" aria-label={`Actions for ${it.name}`}>
                          {can.rotate && (
                            <button
                              type="button"
                              className="small"
                              disabled={busy !== null}
                              onClick={() => {
                                setNotice(null);
                                setRotating(it);
                              }}
                            >
                              Mark rotated
                            </button>
                          )}
                          {can.snooze && (
                            <MenuButton
                              label={`Snooze ${it.name}`}
                              choices={SNOOZE_CHOICES}
                              disabled={busy !== null}
                              onPick={(k) => {
                                snooze(it, Number(k));
                              }}
                            >
                              Snooze
                            </MenuButton>
                          )}
                          {can.renew && (
                            <button
                              type="button"
                              className="small"
                              disabled={busy !== null}
                              onClick={() => {
                                renew(it);
                              }}
                            >
                              {busy === it.id ? 'Renewing…' : 'Renew'}
                            </button>
                          )}
                          <button
                            type="button"
                            className="small"
                            aria-label={`Open ${it.name}`}
                            onClick={() => {
                              onOpen(it.id);
                            }}
                          >
                            Open
                          </button>
                        </div>
                      )}
                    </li>
                  );
                })}
                {g === 'none' && groups.none.length > 200 && (
                  <li className="muted small">and {(groups.none.length - 200).toLocaleString()} more</li>
                )}
              </ul>
            )}
          </div>
        ))}
      </div>
      {rotating !== null && (
        <RotateDialog
          item={rotating}
          onClose={() => {
            setRotating(null);
          }}
          onRotated={(d) => {
            setRotating(null);
            changed(d);
            const kept = d.previous_versions[0];
            setNotice({
              kind: 'ok',
              text:
                kept === undefined
                  ? `Marked ${d.name} rotated. The previous value was not kept.`
                  : `Marked ${d.name} rotated. The previous value stays readable until ${formatDateTime(kept.purge_at)}.`,
            });
          }}
        />
      )}
    </section>
  );
}
