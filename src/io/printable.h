// Making a user's string (a choice name, a sheet id, a header, a file name) safe to print on a
// terminal or in a comment: control characters (C0, DEL, C1; ESC starts a terminal command),
// bidirectional controls (U+202E turns the rest of a line around), line and paragraph separators
// and bytes that are not UTF-8 are shown visibly instead of being passed on.
#pragma once

#include <string>
#include <string_view>

namespace tallyscope {

// Whether a code point is shown as a code: a control (C0, DEL, C1), a line or paragraph separator
// or a bidirectional control.
bool shown_as_code(char32_t c);

// Whether a code point is a bidirectional control (U+061C, U+200E, U+200F, U+202A-U+202E,
// U+2066-U+2069): text that reorders the text around it.
bool is_bidi_control(char32_t c);

// One line: "\n", "\r", "\t" as those two characters, other C0 controls and DEL as "\x1B", invalid
// UTF-8 bytes as "\xFF", C1 controls, bidi controls and U+2028/U+2029 as "<U+202E>". Everything
// else, backslashes included, is passed on unchanged.
std::string printable(std::string_view s);

// The same for a whole block of text that tallyscope composed: its line breaks ("\n") and tabs
// are kept, everything else as in printable().
std::string printable_lines(std::string_view s);

}  // namespace tallyscope
