// The form in which names are keyed and joined: geography nodes (geography.h) and the names that
// place matching compares (normalise_name in layout.h). Two spellings that look the same must be
// one place: "José" precomposed (NFC) or as "e" + U+0301 (NFD, as macOS writes file names), with a
// trailing no-break space, or with a U+FEFF or a zero-width space inside.
#pragma once

#include <string>
#include <string_view>

namespace tallyscope {

// The name in Unicode NFC (ICU), without invisible characters (format characters, General
// Category Cf: U+00AD, U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+FEFF, ...; other default
// ignorable code points), with every Unicode space (U+00A0, U+2000-U+200A, U+3000, ...) and
// control as an ASCII space, and without spaces at either end. ASCII names only lose their end
// spaces; text that is not UTF-8 is returned unchanged.
std::string clean_name(std::string_view s);

// The name with what clean_name would change shown as codes (<U+00A0>, <U+0301>, <U+FEFF>) and
// controls as printable() shows them, so that a message can show two spellings apart.
std::string visible_spelling(std::string_view s);

}  // namespace tallyscope
