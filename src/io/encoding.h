// Text encodings: UTF-8 (with or without a byte-order mark) and the legacy single-byte
// encodings many electoral authorities still publish (Latin-1 / Windows-1252), converted to UTF-8.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "io/byte_source.h"

namespace tallyscope {

enum class Encoding { kAuto, kUtf8, kWindows1252, kLatin1 };

Encoding parse_encoding(std::string_view name);  // "auto", "utf-8", "windows-1252"/"cp1252", "latin1"; throws UsageError
std::string_view encoding_name(Encoding e);

// Returns the length of the longest prefix of s that is valid UTF-8 (s.size() when all is valid).
size_t valid_utf8_prefix(std::string_view s);
// Whether s ends inside an otherwise valid multi-byte sequence (so more bytes may complete it).
bool ends_in_partial_utf8(std::string_view s);

// Appends the UTF-8 form of Windows-1252 (or Latin-1) text to out.
void append_single_byte_as_utf8(std::string_view in, Encoding from, std::string& out);

// What a whole stream's bytes say about its encoding (see scan_encoding).
struct EncodingScan {
  Encoding encoding = Encoding::kUtf8;
  bool bom = false;
  uint64_t valid_multibyte = 0;  // well-formed UTF-8 sequences of two bytes or more
  uint64_t invalid = 0;          // bytes that start no well-formed UTF-8 sequence
};

// Reads a stream to its end and decides its encoding on every byte, not on its beginning (a
// Windows-1252 file's first accented letter may be thousands of lines in): UTF-8 when it has a
// byte-order mark or is valid UTF-8 throughout; Windows-1252 when its non-UTF-8 bytes outnumber its
// well-formed multi-byte sequences (a legacy file, where such sequences arise only by accident);
// otherwise UTF-8 with a few bad bytes, which the reader reports with their line and column.
EncodingScan scan_encoding(ByteSource& source);

// Whether a stream's first 64 KiB already settle that it is UTF-8: at least kSettlingSequences
// well-formed multi-byte sequences and no byte that starts none (or a byte-order mark). A legacy
// single-byte file cannot show that many well-formed sequences by accident, so the whole-file scan
// (a second decompression of a gzip file, a third of reading Russia 2018) is skipped; a later bad
// byte in such a file is a mixed encoding, which the reader reports with its line and column.
inline constexpr uint64_t kSettlingSequences = 16;
bool head_settles_utf8(ByteSource& source);

// A source that yields UTF-8: it drops a UTF-8 byte-order mark, refuses UTF-16/32, and when asked
// to detect (kAuto) decides from the first 64 KiB whether the file is UTF-8 or Windows-1252.
// Bytes that are not valid UTF-8 later in a file detected as UTF-8 are passed through; the reader
// reports them with their line and column (mixed encodings are an input error, not guessed at).
class DecodedSource final : public ByteSource {
 public:
  DecodedSource(std::unique_ptr<ByteSource> inner, Encoding requested);
  size_t read(char* out, size_t n) override;
  const std::string& name() const override { return inner_->name(); }
  uint64_t raw_bytes_read() const override { return inner_->raw_bytes_read(); }
  Encoding detected() const { return detected_; }
  bool had_bom() const { return bom_; }

 private:
  std::unique_ptr<ByteSource> inner_;
  Encoding detected_ = Encoding::kUtf8;
  bool bom_ = false;
  std::string pending_;  // decoded bytes not yet handed out
  size_t pending_pos_ = 0;
  std::string raw_;      // scratch for single-byte decoding
};

}  // namespace tallyscope
