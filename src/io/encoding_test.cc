#include "io/encoding.h"

#include <gtest/gtest.h>
#include <iconv.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "io/byte_source.h"
#include "io/csv_reader.h"
#include "io/error.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

using ::tallyscope::testing::read_all;

std::unique_ptr<DecodedSource> decode(std::string bytes, Encoding enc = Encoding::kAuto,
                                      std::string name = "enc.csv") {
  return std::make_unique<DecodedSource>(open_memory(std::move(bytes), std::move(name)), enc);
}

TEST(EncodingNames, ParsesKnownNamesCaseInsensitively) {
  EXPECT_EQ(parse_encoding("auto"), Encoding::kAuto);
  EXPECT_EQ(parse_encoding("AUTO"), Encoding::kAuto);
  EXPECT_EQ(parse_encoding("utf-8"), Encoding::kUtf8);
  EXPECT_EQ(parse_encoding("UTF-8"), Encoding::kUtf8);
  EXPECT_EQ(parse_encoding("utf8"), Encoding::kUtf8);
  EXPECT_EQ(parse_encoding("windows-1252"), Encoding::kWindows1252);
  EXPECT_EQ(parse_encoding("CP1252"), Encoding::kWindows1252);
  EXPECT_EQ(parse_encoding("win1252"), Encoding::kWindows1252);
  EXPECT_EQ(parse_encoding("latin1"), Encoding::kLatin1);
  EXPECT_EQ(parse_encoding("Latin-1"), Encoding::kLatin1);
  EXPECT_EQ(parse_encoding("ISO-8859-1"), Encoding::kLatin1);
  EXPECT_EQ(parse_encoding("iso8859-1"), Encoding::kLatin1);
}

TEST(EncodingNames, UnknownNameIsAUsageError) {
  EXPECT_THROW(parse_encoding("utf-16"), UsageError);
  EXPECT_THROW(parse_encoding(""), UsageError);
  try {
    parse_encoding("ebcdic");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'ebcdic'"), std::string::npos) << e.what();
  }
}

TEST(EncodingNames, NamesRoundTrip) {
  EXPECT_EQ(encoding_name(Encoding::kAuto), "auto");
  EXPECT_EQ(encoding_name(Encoding::kUtf8), "utf-8");
  EXPECT_EQ(encoding_name(Encoding::kWindows1252), "windows-1252");
  EXPECT_EQ(encoding_name(Encoding::kLatin1), "latin1");
  for (Encoding e : {Encoding::kAuto, Encoding::kUtf8, Encoding::kWindows1252, Encoding::kLatin1})
    EXPECT_EQ(parse_encoding(encoding_name(e)), e);
}

TEST(EncodingUtf8, ValidTextIsFullyValid) {
  EXPECT_EQ(valid_utf8_prefix(""), 0u);
  const std::string ascii = "plain ascii text, long enough for the fast path";
  EXPECT_EQ(valid_utf8_prefix(ascii), ascii.size());
  const std::string mixed = "Potos\xC3\xAD \xE2\x82\xAC \xF0\x9D\x84\x9E \xD0\x9F\xD1\x83\xD1\x82\xD0\xB8\xD0\xBD";
  EXPECT_EQ(valid_utf8_prefix(mixed), mixed.size());
  // Boundaries: U+007F, U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF.
  const std::string edges =
      "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF";
  EXPECT_EQ(valid_utf8_prefix(edges), edges.size());
  EXPECT_EQ(valid_utf8_prefix(std::string_view("a\0b", 3)), 3u);  // NUL is valid UTF-8
}

TEST(EncodingUtf8, InvalidSequencesStopThePrefix) {
  EXPECT_EQ(valid_utf8_prefix("abc\x80xyz"), 3u);                  // lone continuation byte
  EXPECT_EQ(valid_utf8_prefix("ab\xC0\xAF"), 2u);                  // overlong '/'
  EXPECT_EQ(valid_utf8_prefix("ab\xC1\xBF"), 2u);                  // overlong
  EXPECT_EQ(valid_utf8_prefix("\xE0\x80\xAF"), 0u);                // overlong 3-byte
  EXPECT_EQ(valid_utf8_prefix("x\xED\xA0\x80"), 1u);               // UTF-16 surrogate
  EXPECT_EQ(valid_utf8_prefix("\xF0\x80\x80\xAF"), 0u);            // overlong 4-byte
  EXPECT_EQ(valid_utf8_prefix("\xF4\x90\x80\x80"), 0u);            // beyond U+10FFFF
  EXPECT_EQ(valid_utf8_prefix("\xF5\x80\x80\x80"), 0u);            // invalid lead byte
  EXPECT_EQ(valid_utf8_prefix("\xFF"), 0u);
  EXPECT_EQ(valid_utf8_prefix("\xC3("), 0u);                       // lead without continuation
  EXPECT_EQ(valid_utf8_prefix("Jos\xE9 P\xE9rez"), 3u);            // Windows-1252 text
  EXPECT_EQ(valid_utf8_prefix("caf\xC3"), 3u);                     // truncated at the end
  EXPECT_EQ(valid_utf8_prefix("\xE2\x82"), 0u);
  // After the eight-byte ASCII fast path.
  EXPECT_EQ(valid_utf8_prefix("0123456789abcdef\xC3\xA9\x80"), 18u);
  EXPECT_EQ(valid_utf8_prefix("01234567\xFE"), 8u);
}

TEST(EncodingUtf8, EndsInPartialSequence) {
  EXPECT_FALSE(ends_in_partial_utf8(""));
  EXPECT_FALSE(ends_in_partial_utf8("abc"));
  EXPECT_TRUE(ends_in_partial_utf8("abc\xC3"));
  EXPECT_FALSE(ends_in_partial_utf8("abc\xC3\xA9"));
  EXPECT_TRUE(ends_in_partial_utf8("\xE2"));
  EXPECT_TRUE(ends_in_partial_utf8("x\xE2\x82"));
  EXPECT_FALSE(ends_in_partial_utf8("x\xE2\x82\xAC"));
  EXPECT_TRUE(ends_in_partial_utf8("\xF0"));
  EXPECT_TRUE(ends_in_partial_utf8("\xF0\x9D"));
  EXPECT_TRUE(ends_in_partial_utf8("\xF0\x9D\x84"));
  EXPECT_FALSE(ends_in_partial_utf8("\xF0\x9D\x84\x9E"));
}

TEST(EncodingSingleByte, Windows1252ToUtf8) {
  std::string out = "prefix:";
  append_single_byte_as_utf8("Jos\xE9 \x80 \x93quoted\x94 \x81 \xFF", Encoding::kWindows1252, out);
  EXPECT_EQ(out, "prefix:Jos\xC3\xA9 \xE2\x82\xAC \xE2\x80\x9Cquoted\xE2\x80\x9D \xC2\x81 \xC3\xBF");
  std::string all;
  append_single_byte_as_utf8("\x8A\x8C\x8E\x99\x9A\x9C\x9E\x9F\xA0", Encoding::kWindows1252, all);
  EXPECT_EQ(all, "\xC5\xA0\xC5\x92\xC5\xBD\xE2\x84\xA2\xC5\xA1\xC5\x93\xC5\xBE\xC5\xB8\xC2\xA0");
}

// Every byte against glibc's iconv (which leaves the five undefined Windows-1252 bytes out).
std::string iconv_to_utf8(const char* from, unsigned char byte) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return "?";
  char in[1] = {static_cast<char>(byte)};
  char out[8] = {};
  char* ip = in;
  char* op = out;
  size_t il = 1, ol = sizeof out;
  size_t rc = iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) return "?";
  return std::string(out, static_cast<size_t>(op - out));
}

TEST(EncodingSingleByte, EveryByteMatchesIconv) {
  for (int b = 0; b < 256; ++b) {
    SCOPED_TRACE(b);
    const char c = static_cast<char>(b);
    std::string latin1;
    append_single_byte_as_utf8(std::string_view(&c, 1), Encoding::kLatin1, latin1);
    EXPECT_EQ(latin1, iconv_to_utf8("ISO-8859-1", static_cast<unsigned char>(b)));
    std::string cp;
    append_single_byte_as_utf8(std::string_view(&c, 1), Encoding::kWindows1252, cp);
    std::string expected = iconv_to_utf8("CP1252", static_cast<unsigned char>(b));
    if (expected == "?") expected = latin1;  // 0x81, 0x8D, 0x8F, 0x90, 0x9D: the C1 control
    EXPECT_EQ(cp, expected);
  }
}

TEST(EncodingSingleByte, Latin1ToUtf8) {
  std::string out;
  append_single_byte_as_utf8("Jos\xE9 \x80\x9F\xA0\xFF", Encoding::kLatin1, out);
  EXPECT_EQ(out, "Jos\xC3\xA9 \xC2\x80\xC2\x9F\xC2\xA0\xC3\xBF");
}

TEST(EncodingSingleByte, AsciiAndEmptyAreUnchanged) {
  std::string out;
  append_single_byte_as_utf8("", Encoding::kWindows1252, out);
  EXPECT_EQ(out, "");
  append_single_byte_as_utf8(std::string_view("a,b\n\0", 5), Encoding::kLatin1, out);
  EXPECT_EQ(out, std::string("a,b\n\0", 5));
}

TEST(EncodingDecode, PlainUtf8PassesThrough) {
  const std::string text = "nombre,votos\nPotos\xC3\xAD,12\n";
  auto src = decode(text);
  EXPECT_EQ(src->detected(), Encoding::kUtf8);
  EXPECT_FALSE(src->had_bom());
  EXPECT_EQ(src->name(), "enc.csv");
  EXPECT_EQ(read_all(*src), text);
}

TEST(EncodingDecode, EmptyInput) {
  auto src = decode("");
  EXPECT_EQ(src->detected(), Encoding::kUtf8);
  EXPECT_FALSE(src->had_bom());
  EXPECT_EQ(read_all(*src), "");
}

TEST(EncodingDecode, Utf8BomIsStripped) {
  auto src = decode("\xEF\xBB\xBF" "a,b\n1,2\n");
  EXPECT_TRUE(src->had_bom());
  EXPECT_EQ(src->detected(), Encoding::kUtf8);
  EXPECT_EQ(read_all(*src), "a,b\n1,2\n");
  auto only = decode("\xEF\xBB\xBF");
  EXPECT_TRUE(only->had_bom());
  EXPECT_EQ(read_all(*only), "");
}

TEST(EncodingDecode, OnlyTheLeadingBomIsStripped) {
  auto src = decode("\xEF\xBB\xBF\xEF\xBB\xBFx");
  EXPECT_EQ(read_all(*src), "\xEF\xBB\xBFx");
}

TEST(EncodingDecode, BomWithInvalidBytesStaysUtf8) {
  // A BOM says UTF-8: invalid bytes are passed through for the reader to report.
  auto src = decode("\xEF\xBB\xBFJos\xE9\n");
  EXPECT_EQ(src->detected(), Encoding::kUtf8);
  EXPECT_EQ(read_all(*src), "Jos\xE9\n");
}

TEST(EncodingDecode, Utf16IsRefusedNamingTheFile) {
  for (std::string bom : {std::string("\xFF\xFE", 2), std::string("\xFE\xFF", 2)}) {
    try {
      decode(bom + std::string("a\0,\0b\0", 6), Encoding::kAuto, "wide.csv");
      ADD_FAILURE() << "expected InputError";
    } catch (const InputError& e) {
      EXPECT_EQ(e.where().file, "wide.csv");
      EXPECT_EQ(e.where().line, 1u);
      EXPECT_NE(std::string(e.what()).find("wide.csv:1:1: "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("UTF-16"), std::string::npos) << e.what();
    }
  }
  // Even when an encoding was requested explicitly.
  EXPECT_THROW(decode(std::string("\xFF\xFEh\0", 4), Encoding::kUtf8), InputError);
  EXPECT_THROW(decode(std::string("\xFE\xFF\0h", 4), Encoding::kWindows1252), InputError);
}

TEST(EncodingDecode, Utf32IsRefused) {
  for (std::string bom : {std::string("\xFF\xFE\0\0", 4), std::string("\0\0\xFE\xFF", 4)}) {
    try {
      decode(bom + std::string("a\0\0\0", 4), Encoding::kAuto, "wider.csv");
      ADD_FAILURE() << "expected InputError";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("wider.csv:1:1: "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("UTF-32"), std::string::npos) << e.what();
    }
  }
}

TEST(EncodingDecode, DetectsWindows1252AndConverts) {
  auto src = decode("nom;ville\nJos\xE9;Montr\xE9" "al \x80\n");
  EXPECT_EQ(src->detected(), Encoding::kWindows1252);
  EXPECT_FALSE(src->had_bom());
  EXPECT_EQ(read_all(*src), "nom;ville\nJos\xC3\xA9;Montr\xC3\xA9" "al \xE2\x82\xAC\n");
}

TEST(EncodingDecode, ExplicitLatin1) {
  auto src = decode("a\x80\xE9", Encoding::kLatin1);
  EXPECT_EQ(src->detected(), Encoding::kLatin1);
  EXPECT_EQ(read_all(*src), "a\xC2\x80\xC3\xA9");
}

TEST(EncodingDecode, ExplicitWindows1252EvenForValidUtf8) {
  auto src = decode("\xC3\xA9", Encoding::kWindows1252);
  EXPECT_EQ(src->detected(), Encoding::kWindows1252);
  EXPECT_EQ(read_all(*src), "\xC3\x83\xC2\xA9");  // "Ã©"
}

TEST(EncodingDecode, ExplicitUtf8PassesInvalidBytesThrough) {
  auto src = decode("Jos\xE9\n", Encoding::kUtf8);
  EXPECT_EQ(src->detected(), Encoding::kUtf8);
  EXPECT_EQ(read_all(*src), "Jos\xE9\n");
}

TEST(EncodingDecode, DetectionLooksAtTheFirst64KiBOnly) {
  // Invalid UTF-8 after the first 64 KiB: still UTF-8, and the bytes are passed through.
  std::string text(70000, 'a');
  text += "\xE9\n";
  auto src = decode(text);
  EXPECT_EQ(src->detected(), Encoding::kUtf8);
  EXPECT_EQ(read_all(*src), text);
  // Just inside the first 64 KiB: Windows-1252.
  std::string inside(65535, 'a');
  inside += "\xE9";
  inside += std::string(100, 'b');
  auto src2 = decode(inside);
  EXPECT_EQ(src2->detected(), Encoding::kWindows1252);
  std::string out = read_all(*src2);
  EXPECT_EQ(out, std::string(65535, 'a') + "\xC3\xA9" + std::string(100, 'b'));
}

TEST(EncodingDecode, MultiByteCharacterSplitByTheSniffWindowIsUtf8) {
  for (std::string ch : {std::string("\xC3\xA9"), std::string("\xE2\x82\xAC"), std::string("\xF0\x9D\x84\x9E")}) {
    for (size_t before = 1; before < ch.size(); ++before) {
      SCOPED_TRACE(before);
      std::string text(65536 - before, 'x');
      text += ch;
      text += "tail\n";
      auto src = decode(text);
      EXPECT_EQ(src->detected(), Encoding::kUtf8);
      EXPECT_EQ(read_all(*src), text);
    }
  }
}

TEST(EncodingDecode, Windows1252ReadInTinyChunks) {
  std::string raw;
  std::string expected;
  for (int i = 0; i < 20000; ++i) {
    raw += "Se\xF1or \x80\x99;";
    expected += "Se\xC3\xB1or \xE2\x82\xAC\xE2\x84\xA2;";
  }
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{100000}}) {
    SCOPED_TRACE(chunk);
    auto src = decode(raw);
    ASSERT_EQ(src->detected(), Encoding::kWindows1252);
    EXPECT_EQ(read_all(*src, chunk), expected);
  }
}

TEST(EncodingDecode, GzipThenWindows1252) {
  std::string raw = "a;b\nJos\xE9;1\n";
  auto src = std::make_unique<DecodedSource>(open_memory(testing::gzip_bytes(raw), "x.csv.gz"), Encoding::kAuto);
  EXPECT_EQ(src->detected(), Encoding::kWindows1252);
  EXPECT_EQ(read_all(*src), "a;b\nJos\xC3\xA9;1\n");
}

// A source handing out at most `chunk` bytes a read, so that sequences straddle the reads.
class Trickle final : public ByteSource {
 public:
  Trickle(std::string d, size_t chunk) : data_(std::move(d)), chunk_(chunk) {}
  size_t read(char* out, size_t n) override {
    size_t take = std::min({n, chunk_, data_.size() - pos_});
    std::memcpy(out, data_.data() + pos_, take);
    pos_ += take;
    return take;
  }
  const std::string& name() const override { return name_; }
  uint64_t raw_bytes_read() const override { return pos_; }

 private:
  std::string data_, name_ = "trickle";
  size_t chunk_, pos_ = 0;
};

TEST(EncodingScan, DecidesOnTheWholeFile) {
  // 200 KB of ASCII, then Windows-1252 letters (Venezuela V2: the first one on line 2,439).
  std::string legacy(200000, 'a');
  legacy += "\nMUNICIPIO PE\xD1" "A,CA\xD1" "ADA\n";
  auto m = open_memory(legacy);
  EncodingScan s = scan_encoding(*m);
  EXPECT_EQ(s.encoding, Encoding::kWindows1252);
  EXPECT_EQ(s.invalid, 2u);
  // UTF-8 throughout, with sequences cut by the chunk boundaries.
  std::string utf8;
  for (int i = 0; i < 5000; ++i) utf8 += "Potos\xC3\xAD,\xE2\x82\xAC,\xF0\x9F\x98\x80\n";
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{1 << 20}}) {
    Trickle t(utf8, chunk);
    EncodingScan u = scan_encoding(t);
    EXPECT_EQ(u.encoding, Encoding::kUtf8) << chunk;
    EXPECT_EQ(u.invalid, 0u) << chunk;
    EXPECT_EQ(u.valid_multibyte, 15000u) << chunk;
  }
  // UTF-8 with one stray byte stays UTF-8: the reader reports the byte with its line and column.
  auto stray = open_memory(utf8 + "x\xED,1\n");
  EXPECT_EQ(scan_encoding(*stray).encoding, Encoding::kUtf8);
  // A byte-order mark settles it.
  auto bom = open_memory("\xEF\xBB\xBFid\nJos\xE9\n");
  EXPECT_TRUE(scan_encoding(*bom).bom);
  // A truncated sequence at the very end is one invalid byte.
  auto cut = open_memory("ab\xC3");
  EXPECT_EQ(scan_encoding(*cut).invalid, 1u);
}

TEST(EncodingScan, CsvReaderOpensAFileByItsWholeScan) {
  std::string csv = "id,name\n";
  for (int i = 0; csv.size() < 100000; ++i) csv += std::to_string(i) + ",plain\n";
  csv += "x,Pe\xF1" "a\n";
  auto r = CsvReader::open(testing::temp_file(csv));
  EXPECT_EQ(r->encoding(), Encoding::kWindows1252);
}

TEST(EncodingScan, AHeadWithManyWellFormedSequencesSettlesUtf8) {
  std::string cyrillic = "region,\xD0\xA7\xD0\xB8\xD1\x81\xD0\xBB\xD0\xBE\n";  // "Число": 5 sequences
  std::string head;
  for (int i = 0; i < 4; ++i) head += cyrillic;  // 20 sequences
  EXPECT_TRUE(head_settles_utf8(*open_memory(head)));
  // Too few sequences to settle anything: the whole file decides.
  EXPECT_FALSE(head_settles_utf8(*open_memory(cyrillic)));
  // A bad byte in the head: the whole file decides.
  EXPECT_FALSE(head_settles_utf8(*open_memory(head + "Pe\xF1" "a\n")));
  // Plain ASCII in the first 64 KiB (Venezuela V2's first accent is on line 2,439): not settled.
  EXPECT_FALSE(head_settles_utf8(*open_memory(std::string(200000, 'a'))));
  // A byte-order mark settles it.
  EXPECT_TRUE(head_settles_utf8(*open_memory("\xEF\xBB\xBFid\n")));
  // A sequence cut by the 64 KiB window is not counted against the file.
  std::string cut = head + std::string(65536 - head.size() - 1, 'a') + "\xD0\xA7";
  EXPECT_TRUE(head_settles_utf8(*open_memory(cut)));
  // A settled head and a later stray byte: read as UTF-8, and the reader names the byte.
  std::string csv = "id,name\n" + std::string("1,\xD0\xA7\xD0\xB8\xD1\x81\xD0\xBB\xD0\xBE\n") +
                    "2,\xD0\xA7\xD0\xB8\xD1\x81\xD0\xBB\xD0\xBE\xD0\xA7\xD0\xB8\xD1\x81\xD0\xBB\xD0\xBE\xD0\xA7\xD0\xB8\n";
  for (int i = 3; csv.size() < 100000; ++i) csv += std::to_string(i) + ",plain\n";
  csv += "x,Pe\xF1" "a\n";
  EXPECT_EQ(CsvReader::open(testing::temp_file(csv))->encoding(), Encoding::kUtf8);
}

}  // namespace
}  // namespace tallyscope
