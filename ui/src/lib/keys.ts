// What a key press lands on: the main window's shortcuts leave typing and selections alone.

/** Typing into a field: the window's shortcuts (?, Ctrl+C) leave the keys alone. */
export function typingIn(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t instanceof HTMLTextAreaElement || t.isContentEditable) return true;
  if (t instanceof HTMLSelectElement) return true;
  return t instanceof HTMLInputElement && t.type !== 'checkbox' && t.type !== 'radio' && t.type !== 'button';
}

/** Text the user selected (in the page or inside a field): Ctrl+C copies that, as always. */
export function hasSelection(t: EventTarget | null): boolean {
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement) {
    try {
      return t.selectionStart !== null && t.selectionStart !== t.selectionEnd;
    } catch {
      return false;
    }
  }
  const s = window.getSelection();
  return s !== null && !s.isCollapsed && s.toString() !== '';
}
