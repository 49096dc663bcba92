// "Paste curl": a curl command read by Rust into the editor's fields.
import { useState } from 'react';
import { type CurlParsed, requestFromCurl, toIpcError } from '../../lib/ipc';
import { Dialog } from '../Dialog';

export function PasteCurlDialog({ onUse, onClose }: { onUse: (c: CurlParsed) => void; onClose: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);

  const use = async () => {
    try {
      onUse(await requestFromCurl(text));
    } catch (e) {
      setError(toIpcError(e).message);
    }
  };

  return (
    <Dialog
      title="Paste a curl command"
      subtitle="Its URL, method, headers and body fill the editor. Credentials in it are left out: this item’s is attached."
      onClose={onClose}
      dirty={text.trim() !== ''}
      wide
    >
      <div className="dialog-body">
        <textarea
          aria-label="curl command"
          className="body-text"
          rows={8}
          spellCheck={false}
          data-autofocus
          placeholder={"curl -X POST https://api.example.com/v1/things \\\n  -H 'Content-Type: application/json' \\\n  -d '{\"name\":\"x\"}'"}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
        />
        {error !== null && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <footer className="dialog-foot dialog-foot-bar">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={text.trim() === ''} onClick={() => void use()}>
          Use this request
        </button>
      </footer>
    </Dialog>
  );
}
