// The checks of a new master password (first run, Settings → Change password), re-run on
// every keystroke once the form was submitted: a message goes as soon as it no longer
// applies, and "do not match" never shows while the confirmation is still being typed.

export const MIN_PASSWORD_LENGTH = 8;

export interface NewPasswordErrors {
  password?: string;
  confirm?: string;
}

/** `submitted`: the user pressed the button at least once (before that, nothing shouts). */
export function newPasswordErrors(password: string, confirm: string, submitted: boolean): NewPasswordErrors {
  const out: NewPasswordErrors = {};
  if (!submitted) {
    // Typing the confirmation: only a confirmation longer than the password, or one
    // already as long and different, is certainly wrong.
    if (confirm !== '' && confirm.length >= password.length && confirm !== password) {
      out.confirm = 'The passwords do not match.';
    }
    return out;
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    out.password = `Use at least ${String(MIN_PASSWORD_LENGTH)} characters.`;
  }
  if (confirm !== password) out.confirm = 'The passwords do not match.';
  return out;
}
