/**
 * Control characters (Unicode category Cc: C0 U+0000–U+001F, DEL, C1 U+0080–U+009F) written
 * as `\u001b`-style escapes. A record pulled from a teammate (or anyone who can push) may hold
 * ESC sequences: printed raw, they can rewrite the screen, hide text, set the window title or,
 * on some terminals, answer back as if typed. C1 is included because U+009B is a one-character
 * CSI for terminals that honour 8-bit controls.
 */
const ALL_CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
/** The same, sparing newline and tab: for multi-line text (a description, a comment). */
const CONTROLS_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `text` with every control character escaped; `keepLayout` leaves `\n` and `\t` as they are. */
export function escapeControls(text: string, keepLayout = false): string {
  return text.replace(keepLayout ? CONTROLS_BUT_LAYOUT : ALL_CONTROLS, escape);
}
