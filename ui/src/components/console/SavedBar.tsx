// The saved requests of an item, as chips above the editor, with Undo after a delete.
import type { SavedRequest } from '../../lib/ipc';

interface Props {
  saved: SavedRequest[];
  /** The one just deleted (offered back). */
  deleted: SavedRequest | null;
  /** The saved request the draft came from. */
  current: string | null;
  onOpen: (s: SavedRequest) => void;
  onRemove: (s: SavedRequest) => void;
  onUndo: () => void;
}

export function SavedBar({ saved, deleted, current, onOpen, onRemove, onUndo }: Props) {
  if (saved.length === 0 && deleted === null) return null;
  return (
    <div className="saved-bar" aria-label="Saved requests">
      <span className="muted small">Saved</span>
      {saved.map((s) => (
        <span key={s.id} className={`saved-chip${current === s.name ? ' current' : ''}`}>
          <button
            type="button"
            className="saved-open"
            title={`${s.request.method.toUpperCase()} ${s.request.url}`}
            onClick={() => {
              onOpen(s);
            }}
          >
            <span className="method-tag">{s.request.method.toUpperCase()}</span> {s.name}
          </button>
          <button
            type="button"
            className="saved-remove"
            aria-label={`Delete saved request ${s.name}`}
            onClick={() => {
              onRemove(s);
            }}
          >
            ×
          </button>
        </span>
      ))}
      {deleted !== null && (
        <span className="small muted" role="status">
          Deleted “{deleted.name}”.{' '}
          <button type="button" className="link-button small" onClick={onUndo}>
            Undo
          </button>
        </span>
      )}
    </div>
  );
}
