#include "io/csv_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "io/error.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

using ::tallyscope::testing::gzip_bytes;
using ::tallyscope::testing::temp_file;

constexpr size_t kMiB = size_t{1} << 20;

struct Row {
  uint64_t line = 0;
  std::vector<std::string> fields;
  bool operator==(const Row&) const = default;
};

void PrintTo(const Row& r, std::ostream* os) {
  *os << "line " << r.line << ": [";
  for (size_t i = 0; i < r.fields.size(); ++i) *os << (i ? ", " : "") << ::testing::PrintToString(r.fields[i]);
  *os << "]";
}

std::vector<Row> read_rows(CsvReader& reader) {
  std::vector<Row> rows;
  CsvRecord rec;
  while (reader.next(rec)) {
    Row r;
    r.line = rec.line;
    for (std::string_view f : rec.fields) r.fields.emplace_back(f);
    rows.push_back(std::move(r));
  }
  // Stays at the end.
  EXPECT_FALSE(reader.next(rec));
  return rows;
}

std::vector<Row> parse(std::string text, CsvOptions options = {}, std::string name = "votes.csv") {
  CsvReader reader(open_memory(std::move(text), std::move(name)), options);
  return read_rows(reader);
}

CsvOptions with_delimiter(char d) {
  CsvOptions o;
  o.delimiter = d;
  return o;
}

char detected(std::string text) {
  CsvReader reader(open_memory(std::move(text)));
  return reader.delimiter();
}

// Runs a parse expected to fail; returns the InputError (or fails the test).
InputError parse_error(std::string text, CsvOptions options = {}, std::string name = "votes.csv") {
  try {
    parse(std::move(text), options, std::move(name));
  } catch (const InputError& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got " << e.what();
    return InputError({}, "wrong exception");
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
  return InputError({}, "nothing thrown");
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// --- Fields and quoting ---------------------------------------------------------------------

TEST(CsvReaderFields, SimpleRecords) {
  EXPECT_EQ(parse("a,b,c\n1,2,3\n"),
            (std::vector<Row>{{1, {"a", "b", "c"}}, {2, {"1", "2", "3"}}}));
}

TEST(CsvReaderFields, NoFinalLineEnd) {
  EXPECT_EQ(parse("a,b\n1,2"), (std::vector<Row>{{1, {"a", "b"}}, {2, {"1", "2"}}}));
}

TEST(CsvReaderFields, EmptyInputHasNoRecords) {
  EXPECT_EQ(parse(""), std::vector<Row>{});
  EXPECT_EQ(parse("\n\n\r\n\r"), std::vector<Row>{});
}

TEST(CsvReaderFields, EmptyFields) {
  EXPECT_EQ(parse("a,,c\n,,\n,x\nx,\n", with_delimiter(',')),
            (std::vector<Row>{{1, {"a", "", "c"}}, {2, {"", "", ""}}, {3, {"", "x"}}, {4, {"x", ""}}}));
}

TEST(CsvReaderFields, TrailingDelimiterAtEndOfFile) {
  EXPECT_EQ(parse("a,b,\n1,2,", with_delimiter(',')),
            (std::vector<Row>{{1, {"a", "b", ""}}, {2, {"1", "2", ""}}}));
}

TEST(CsvReaderFields, SpacesAreKept) {
  EXPECT_EQ(parse(" a , b \n  \n", with_delimiter(',')),
            (std::vector<Row>{{1, {" a ", " b "}}, {2, {"  "}}}));
}

TEST(CsvReaderQuotes, EmbeddedDelimitersQuotesAndNewlines) {
  const std::string text =
      "name,note\n"
      "\"Smith, John\",\"said \"\"hi\"\"\"\n"
      "\"multi\nline\",\"crlf\r\ninside\"\n"
      "\"\",\"\"\"\"\n"
      "plain,\"a\"\"\"\"b\"\n";
  EXPECT_EQ(parse(text), (std::vector<Row>{{1, {"name", "note"}},
                                           {2, {"Smith, John", "said \"hi\""}},
                                           {3, {"multi\nline", "crlf\r\ninside"}},
                                           {6, {"", "\""}},
                                           {7, {"plain", "a\"\"b"}}}));
}

TEST(CsvReaderQuotes, QuotedFieldAtEndOfFile) {
  EXPECT_EQ(parse("a,b\n\"x\",\"y\"", with_delimiter(',')),
            (std::vector<Row>{{1, {"a", "b"}}, {2, {"x", "y"}}}));
  EXPECT_EQ(parse("\"only\""), (std::vector<Row>{{1, {"only"}}}));
  EXPECT_EQ(parse("\"\"\"\""), (std::vector<Row>{{1, {"\""}}}));
}

TEST(CsvReaderQuotes, QuotedEmptyLineIsARecord) {
  EXPECT_EQ(parse("h\n\"\"\nx\n"), (std::vector<Row>{{1, {"h"}}, {2, {""}}, {3, {"x"}}}));
}

TEST(CsvReaderQuotes, QuotedFieldsWithOtherDelimiters) {
  EXPECT_EQ(parse("a;b\n\"1;2\";\"x\ny\"\n3;4\n"),
            (std::vector<Row>{{1, {"a", "b"}}, {2, {"1;2", "x\ny"}}, {4, {"3", "4"}}}));
  EXPECT_EQ(parse("a\tb\n\"1\t2\"\t\"\"\"q\"\"\"\n"), (std::vector<Row>{{1, {"a", "b"}}, {2, {"1\t2", "\"q\""}}}));
}

// --- Line ends and line numbers ---------------------------------------------------------------

TEST(CsvReaderLines, LfCrlfAndCr) {
  const std::vector<Row> expected{{1, {"a", "b"}}, {2, {"1", "2"}}, {3, {"3", "4"}}};
  EXPECT_EQ(parse("a,b\n1,2\n3,4\n"), expected);
  EXPECT_EQ(parse("a,b\r\n1,2\r\n3,4\r\n"), expected);
  EXPECT_EQ(parse("a,b\r1,2\r3,4\r"), expected);
  EXPECT_EQ(parse("a,b\r1,2\n3,4\r\n"), expected);
  EXPECT_EQ(parse("a,b\r\n1,2\r\n3,4"), expected);
}

TEST(CsvReaderLines, EmptyLinesAreSkippedButCounted) {
  EXPECT_EQ(parse("\n\na,b\n\n\n1,2\n\r\n3,4\n\n"),
            (std::vector<Row>{{3, {"a", "b"}}, {6, {"1", "2"}}, {8, {"3", "4"}}}));
  EXPECT_EQ(parse("a,b\r\r\r1,2\r"), (std::vector<Row>{{1, {"a", "b"}}, {4, {"1", "2"}}}));
  EXPECT_EQ(parse("a,b\r\n\r\n\r\n1,2"), (std::vector<Row>{{1, {"a", "b"}}, {4, {"1", "2"}}}));
}

TEST(CsvReaderLines, LineNumbersAfterMultiLineQuotedFields) {
  EXPECT_EQ(parse("h1,h2\n\"l1\nl2\nl3\",x\nnext,y\n\n\"a\n\",b\nlast,z\n"),
            (std::vector<Row>{{1, {"h1", "h2"}},
                              {2, {"l1\nl2\nl3", "x"}},
                              {5, {"next", "y"}},
                              {7, {"a\n", "b"}},
                              {9, {"last", "z"}}}));
}

TEST(CsvReaderLines, LineNumbersAfterMultiLineQuotedFieldsWithCrlf) {
  EXPECT_EQ(parse("h1,h2\r\n\"l1\r\nl2\r\nl3\",x\r\nnext,y\r\n"),
            (std::vector<Row>{{1, {"h1", "h2"}}, {2, {"l1\r\nl2\r\nl3", "x"}}, {5, {"next", "y"}}}));
}

TEST(CsvReaderLines, LineNumbersAfterMultiLineQuotedFieldsWithCr) {
  EXPECT_EQ(parse("h1,h2\r\"l1\rl2\rl3\",x\rnext,y\r\"\r\r\",z\rlast,w"),
            (std::vector<Row>{{1, {"h1", "h2"}},
                              {2, {"l1\rl2\rl3", "x"}},
                              {5, {"next", "y"}},
                              {6, {"\r\r", "z"}},
                              {9, {"last", "w"}}}));
}

// --- Delimiter detection ----------------------------------------------------------------------

TEST(CsvReaderDelimiter, DetectsEachCandidate) {
  EXPECT_EQ(detected("a,b,c\n1,2,3\n"), ',');
  EXPECT_EQ(detected("a;b;c\n1;2;3\n"), ';');
  EXPECT_EQ(detected("a\tb\tc\n1\t2\t3\n"), '\t');
  EXPECT_EQ(detected("a|b|c\n1|2|3\n"), '|');
}

TEST(CsvReaderDelimiter, SingleColumnDefaultsToComma) {
  EXPECT_EQ(detected("votes\n1\n2\n"), ',');
  EXPECT_EQ(detected(""), ',');
}

TEST(CsvReaderDelimiter, SemicolonWithDecimalCommas) {
  EXPECT_EQ(detected("name;share;votes\nA;1,5;10\nB;2,25;20\nC;3;30\n"), ';');
}

TEST(CsvReaderDelimiter, TabWithCommasInText) {
  EXPECT_EQ(detected("name\tvotes\nSmith, John\t12\nDoe, Jane\t30\n"), '\t');
}

TEST(CsvReaderDelimiter, CommasInsideQuotedHeaderAreIgnored) {
  const std::string text = "\"a, b\";\"c, d, e\";f\n1;2;3\n4;5;6\n";
  EXPECT_EQ(detected(text), ';');
  EXPECT_EQ(parse(text), (std::vector<Row>{{1, {"a, b", "c, d, e", "f"}}, {2, {"1", "2", "3"}}, {3, {"4", "5", "6"}}}));
}

TEST(CsvReaderDelimiter, PrefersTheConsistentCandidate) {
  // Pipes appear in every line the same number of times; commas only in some cells.
  EXPECT_EQ(detected("id|name|votes\n1|A, B|10\n2|C|20\n3|D|30\n4|E, F, G|40\n"), '|');
}

TEST(CsvReaderDelimiter, LeadingEmptyLinesDoNotHideTheHeader) {
  EXPECT_EQ(detected("\n\na;b;c\n1;2;3\n"), ';');
  EXPECT_EQ(detected("\r\n\r\na|b\n1|2\n"), '|');
  EXPECT_EQ(parse("\n\na;b\n1;2\n"), (std::vector<Row>{{3, {"a", "b"}}, {4, {"1", "2"}}}));
}

TEST(CsvReaderDelimiter, DetectedAfterBom) {
  CsvReader reader(open_memory("\xEF\xBB\xBFnombre;votos\nA;1\n"));
  EXPECT_EQ(reader.delimiter(), ';');
  EXPECT_TRUE(reader.had_bom());
  EXPECT_EQ(read_rows(reader), (std::vector<Row>{{1, {"nombre", "votos"}}, {2, {"A", "1"}}}));
}

TEST(CsvReaderDelimiter, ExplicitDelimiterWins) {
  CsvReader reader(open_memory("a,b;c\n1,2;3\n"), with_delimiter(';'));
  EXPECT_EQ(reader.delimiter(), ';');
  EXPECT_EQ(read_rows(reader), (std::vector<Row>{{1, {"a,b", "c"}}, {2, {"1,2", "3"}}}));
}

// --- Encodings --------------------------------------------------------------------------------

TEST(CsvReaderEncoding, Utf8WithBom) {
  CsvReader reader(open_memory("\xEF\xBB\xBF" "a,b\nPotos\xC3\xAD,1\n"));
  EXPECT_TRUE(reader.had_bom());
  EXPECT_EQ(reader.encoding(), Encoding::kUtf8);
  EXPECT_EQ(read_rows(reader), (std::vector<Row>{{1, {"a", "b"}}, {2, {"Potos\xC3\xAD", "1"}}}));
}

TEST(CsvReaderEncoding, Windows1252IsConverted) {
  CsvReader reader(open_memory("nom;ville\nJos\xE9;Montr\xE9" "al\n"));
  EXPECT_FALSE(reader.had_bom());
  EXPECT_EQ(reader.encoding(), Encoding::kWindows1252);
  EXPECT_EQ(read_rows(reader),
            (std::vector<Row>{{1, {"nom", "ville"}}, {2, {"Jos\xC3\xA9", "Montr\xC3\xA9" "al"}}}));
}

TEST(CsvReaderEncoding, Utf16IsRefused) {
  try {
    CsvReader reader(open_memory(std::string("\xFF\xFE" "a\0,\0b\0", 8), "wide.csv"));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "wide.csv:1:1: ")) << e.what();
    EXPECT_TRUE(contains(e.what(), "UTF-16")) << e.what();
  }
}

// --- Errors -----------------------------------------------------------------------------------

TEST(CsvReaderErrors, UnterminatedQuote) {
  InputError e = parse_error("h,i\n1,2\n\"abc,3\n4,5\n6,7\n");
  EXPECT_EQ(e.where().file, "votes.csv");
  EXPECT_EQ(e.where().line, 3u);
  EXPECT_EQ(e.where().column, 1u);
  EXPECT_TRUE(contains(e.what(), "votes.csv:3:1: ")) << e.what();
  EXPECT_TRUE(contains(e.what(), "unterminated")) << e.what();
}

TEST(CsvReaderErrors, UnterminatedQuoteInSecondColumn) {
  InputError e = parse_error("h,i\n1,\"2\n");
  EXPECT_TRUE(contains(e.what(), "votes.csv:2:2: ")) << e.what();
}

TEST(CsvReaderErrors, UnterminatedQuoteAfterMegabytes) {
  // The reader must keep reading (across several buffer refills) to the end before it can tell.
  std::string text = "h\nx\n\"open\n";
  for (int i = 0; i < 300000; ++i) text += "0123456,\n";
  InputError e = parse_error(text, {}, "big.csv");
  EXPECT_TRUE(contains(e.what(), "big.csv:3:1: ")) << e.what();
  EXPECT_TRUE(contains(e.what(), "unterminated")) << e.what();
}

TEST(CsvReaderErrors, CharacterAfterClosingQuote) {
  InputError e = parse_error("a,b\n1,2\n\"x\"y,2\n");
  EXPECT_EQ(e.where().line, 3u);
  EXPECT_EQ(e.where().column, 1u);
  EXPECT_TRUE(contains(e.what(), "votes.csv:3:1: ")) << e.what();
  EXPECT_TRUE(contains(e.what(), "'y' after a closing quote")) << e.what();

  InputError space = parse_error("a,b\n1,\"x\" \n");
  EXPECT_TRUE(contains(space.what(), "votes.csv:2:2: ")) << space.what();
}

TEST(CsvReaderErrors, CharacterAfterClosingQuoteOfMultiLineField) {
  // Reported on the physical line of the offending character.
  InputError e = parse_error("a\n\"x\ny\"z\n");
  EXPECT_TRUE(contains(e.what(), "votes.csv:3:1: ")) << e.what();
  InputError cr = parse_error("a\r\"x\ry\"z\r");
  EXPECT_TRUE(contains(cr.what(), "votes.csv:3:1: ")) << cr.what();
}

TEST(CsvReaderErrors, ErrorsAfterRecordsWereRead) {
  CsvReader reader(open_memory("a,b\n1,2\n\"3\"x,4\n", "late.csv"));
  CsvRecord rec;
  ASSERT_TRUE(reader.next(rec));
  ASSERT_TRUE(reader.next(rec));
  EXPECT_EQ(rec.line, 2u);
  EXPECT_THROW(reader.next(rec), InputError);
}

// --- Limits -----------------------------------------------------------------------------------

TEST(CsvReaderLimits, MaxFieldBytes) {
  CsvOptions o;
  o.max_field_bytes = 5;
  EXPECT_EQ(parse("abcde,x\n\"vwxyz\",\"\"\n", o), (std::vector<Row>{{1, {"abcde", "x"}}, {2, {"vwxyz", ""}}}));
  InputError e = parse_error("ab,cd\nab,cdefgh\n", o);
  EXPECT_EQ(e.where().line, 2u);
  EXPECT_EQ(e.where().column, 2u);
  EXPECT_TRUE(contains(e.what(), "votes.csv:2:2: ")) << e.what();
  EXPECT_TRUE(contains(e.what(), "longer than 5 bytes")) << e.what();
  InputError quoted = parse_error("ab\n\"abc\ndef\"\n", o);
  EXPECT_TRUE(contains(quoted.what(), "votes.csv:2:1: ")) << quoted.what();
}

TEST(CsvReaderLimits, MaxFieldBytesCountsUnescapedQuotes) {
  CsvOptions o;
  o.max_field_bytes = 5;
  // "ab""cd" holds the five bytes ab"cd.
  EXPECT_EQ(parse("\"ab\"\"cd\",x\n", o), (std::vector<Row>{{1, {"ab\"cd", "x"}}}));
  EXPECT_THROW(parse("\"ab\"\"cde\",x\n", o), InputError);
}

TEST(CsvReaderLimits, MaxColumns) {
  CsvOptions o;
  o.max_columns = 3;
  EXPECT_EQ(parse("a,b,c\n1,2,3\n", o), (std::vector<Row>{{1, {"a", "b", "c"}}, {2, {"1", "2", "3"}}}));
  InputError e = parse_error("a,b,c\n1,2,3\n1,2,3,4\n", o);
  EXPECT_EQ(e.where().line, 3u);
  EXPECT_TRUE(contains(e.what(), "votes.csv:3: ")) << e.what();
  EXPECT_TRUE(contains(e.what(), "more than 3 columns")) << e.what();
}

TEST(CsvReaderLimits, MaxColumnsCountsATrailingEmptyField) {
  CsvOptions o;
  o.max_columns = 3;
  o.delimiter = ',';
  InputError mid = parse_error("a,b,c,\nx\n", o);
  EXPECT_TRUE(contains(mid.what(), "votes.csv:1: ")) << mid.what();
  InputError at_end = parse_error("x\na,b,c,", o);
  EXPECT_TRUE(contains(at_end.what(), "votes.csv:2: ")) << at_end.what();
}

TEST(CsvReaderLimits, FieldLargerThanTheBuffer) {
  const std::string big(3 * kMiB + 17, 'v');
  const std::string text = "name,note\n" + big + ",end\n\"" + big + "\",x\nlast,row\n";
  EXPECT_EQ(parse(text), (std::vector<Row>{{1, {"name", "note"}}, {2, {big, "end"}}, {3, {big, "x"}}, {4, {"last", "row"}}}));
}

TEST(CsvReaderLimits, FieldOverTheLimitAcrossBufferGrowth) {
  CsvOptions o;
  o.max_field_bytes = kMiB;
  const std::string text = "name,note\n" + std::string(kMiB + kMiB / 2, 'v') + ",end\n";
  InputError e = parse_error(text, o);
  EXPECT_TRUE(contains(e.what(), "votes.csv:2:1: ")) << e.what();
  EXPECT_TRUE(contains(e.what(), "longer than 1048576 bytes")) << e.what();
  // A record that does not fit the largest buffer allowed is refused too (naming its line).
  InputError huge = parse_error("name,note\nx,y\n" + std::string(4 * kMiB, 'w') + "\n", o);
  EXPECT_TRUE(contains(huge.what(), "votes.csv:3")) << huge.what();
}

TEST(CsvReaderLimits, HugeFieldLimitMeansNoLimit) {
  CsvOptions o;
  o.max_field_bytes = std::numeric_limits<size_t>::max();
  const std::string big(2 * kMiB + 5, 'h');
  EXPECT_EQ(parse("a,b\n" + big + ",x\n", o), (std::vector<Row>{{1, {"a", "b"}}, {2, {big, "x"}}}));
  o.max_field_bytes = std::numeric_limits<size_t>::max() / 2 + 1;
  EXPECT_EQ(parse("a,b\n" + big + ",x\n", o), (std::vector<Row>{{1, {"a", "b"}}, {2, {big, "x"}}}));
}

TEST(CsvReaderLimits, ReadLimitsApplyThroughOpen) {
  CsvOptions o;
  o.limits.max_file_bytes = 10;
  const std::string path = temp_file("a,b\n1,2\n3,4\n5,6\n");
  try {
    auto reader = CsvReader::open(path, o);
    CsvRecord rec;
    while (reader->next(rec)) {
    }
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), path + ": ")) << e.what();
  }
}

// --- Records straddling the 1 MiB buffer boundary ------------------------------------------------

// A header and filler records filling exactly `length` bytes; appends the expected rows.
std::string filler(size_t length, std::vector<Row>& rows) {
  std::string text = "id,text\n";
  rows.push_back({1, {"id", "text"}});
  uint64_t line = 2;
  while (length - text.size() >= 2000) {
    std::string f(997, 'f');
    text += "0," + f + "\n";
    rows.push_back({line++, {"0", f}});
  }
  std::string f(length - text.size() - 3, 'g');
  text += "1," + f + "\n";
  rows.push_back({line, {"1", f}});
  EXPECT_EQ(text.size(), length);
  return text;
}

struct Tricky {
  std::string text;  // starts on a new line
  // Rows relative to the first line of `text` (line 0).
  std::vector<Row> rows;
};

// Physical line breaks in s: LF, CRLF or a lone CR.
uint64_t line_breaks(const std::string& s) {
  uint64_t n = 0;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n'))) ++n;
  return n;
}

void expect_rows(const std::vector<Row>& got, const std::vector<Row>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  size_t bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(got[i] == expected[i])) {
      ++bad;
      ADD_FAILURE() << "row " << i << ": got " << ::testing::PrintToString(got[i]) << ", expected "
                    << ::testing::PrintToString(expected[i]);
    }
}

void check_straddling(const Tricky& t) {
  for (size_t before = 0; before <= t.text.size() + 1; ++before) {
    SCOPED_TRACE("tricky text starts " + std::to_string(before) + " bytes before the 1 MiB mark");
    std::vector<Row> expected;
    std::string text = filler(kMiB - before, expected);
    const uint64_t first = expected.back().line + 1;
    text += t.text;
    for (Row r : t.rows) {
      r.line += first;
      expected.push_back(r);
    }
    text += "9,tail\n";
    expected.push_back({first + line_breaks(t.text), {"9", "tail"}});
    expect_rows(parse(text), expected);
  }
}

TEST(CsvReaderBoundary, QuotedFieldWithEscapesAndNewlines) {
  check_straddling({"7,\"he said \"\"hi\"\"\nthen\r\nleft\"\r\n8,after\n",
                    {{0, {"7", "he said \"hi\"\nthen\r\nleft"}}, {3, {"8", "after"}}}});
}

TEST(CsvReaderBoundary, CarriageReturnLineEnds) {
  check_straddling({"7,\"a\rb\"\r8,c\r\r9,d\r", {{0, {"7", "a\rb"}}, {2, {"8", "c"}}, {4, {"9", "d"}}}});
}

TEST(CsvReaderBoundary, CrlfLineEndsAndEmptyLines) {
  check_straddling({"7,x\r\n\r\n\n\r\n8,\"\"\r\n", {{0, {"7", "x"}}, {4, {"8", ""}}}});
}

TEST(CsvReaderBoundary, EmptyAndQuoteOnlyFields) {
  check_straddling({",,\n,\"\",\"\"\"\"\n\"\"\"\",\n", {{0, {"", "", ""}}, {1, {"", "", "\""}}, {2, {"\"", ""}}}});
}

TEST(CsvReaderBoundary, TrailingLineNumbers) {
  // The tail row after the tricky text sits on the expected line.
  std::vector<Row> expected;
  std::string text = filler(kMiB - 3, expected);
  uint64_t first = expected.back().line + 1;
  text += "5,\"a\nb\nc\"\n6,z\n";
  std::vector<Row> got = parse(text);
  ASSERT_EQ(got.size(), expected.size() + 2);
  EXPECT_EQ(got[got.size() - 2], (Row{first, {"5", "a\nb\nc"}}));
  EXPECT_EQ(got.back(), (Row{first + 3, {"6", "z"}}));
}

TEST(CsvReaderBoundary, ErrorAcrossTheBoundaryNamesTheLine) {
  for (size_t before : {size_t{1}, size_t{2}, size_t{3}, size_t{4}}) {
    std::vector<Row> rows;
    std::string text = filler(kMiB - before, rows);
    uint64_t first = rows.back().line + 1;
    text += "\"ab\"c,1\n";
    InputError e = parse_error(text);
    EXPECT_EQ(e.where().line, first) << e.what();
    EXPECT_EQ(e.where().column, 1u) << e.what();
  }
}

// --- Generated files: many boundaries at arbitrary places -------------------------------------------

struct Generated {
  std::string text;
  std::vector<Row> rows;
};

Generated generate(const std::string& eol, size_t min_bytes, uint32_t seed) {
  uint32_t x = seed;
  auto rnd = [&](uint32_t n) {
    x = x * 1664525u + 1013904223u;
    return (x >> 8) % n;
  };
  const std::vector<std::string> pieces = {"a", "Potos\xC3\xAD", "12", " ", ",", "\"", "\n", "\r\n", "\r", "xyz", ";", "|"};
  Generated g;
  uint64_t line = 1;
  // A header with three commas so that the comma is detected.
  g.text = "c1,c2,c3,c4" + eol;
  g.rows.push_back({line++, {"c1", "c2", "c3", "c4"}});
  while (g.text.size() < min_bytes) {
    if (rnd(10) == 0) {  // an empty line
      g.text += eol;
      ++line;
      continue;
    }
    Row r;
    r.line = line;
    size_t nf = 1 + rnd(6);
    std::string rec;
    for (size_t f = 0; f < nf; ++f) {
      std::string v;
      size_t len = rnd(4) == 0 ? rnd(3000) : rnd(8);
      while (v.size() < len) v += pieces[rnd(static_cast<uint32_t>(pieces.size()))];
      bool must_quote = v.empty() ? nf == 1 : v.find_first_of(",\"\r\n") != std::string::npos;
      std::string out = v;
      if (must_quote || rnd(5) == 0) {
        out = "\"";
        for (char c : v) {
          if (c == '"') out += '"';
          out += c;
        }
        out += "\"";
      }
      if (f) rec += ",";
      rec += out;
      r.fields.push_back(v);
    }
    line += line_breaks(rec) + 1;
    g.text += rec + eol;
    g.rows.push_back(std::move(r));
  }
  return g;
}

// Hands out at most `chunk` bytes per read.
class TrickleSource final : public ByteSource {
 public:
  TrickleSource(std::string data, size_t chunk) : data_(std::move(data)), chunk_(chunk) {}
  size_t read(char* out, size_t n) override {
    size_t got = std::min({n, chunk_, data_.size() - pos_});
    std::memcpy(out, data_.data() + pos_, got);
    pos_ += got;
    return got;
  }
  const std::string& name() const override { return name_; }
  uint64_t raw_bytes_read() const override { return pos_; }

 private:
  std::string data_;
  std::string name_ = "trickle.csv";
  size_t chunk_;
  size_t pos_ = 0;
};

TEST(CsvReaderGenerated, LfFile) {
  Generated g = generate("\n", 3 * kMiB + 12345, 1);
  expect_rows(parse(g.text), g.rows);
}

TEST(CsvReaderGenerated, CrlfFile) {
  Generated g = generate("\r\n", 3 * kMiB + 54321, 2);
  expect_rows(parse(g.text), g.rows);
}

TEST(CsvReaderGenerated, CrFile) {
  Generated g = generate("\r", 3 * kMiB + 999, 3);
  expect_rows(parse(g.text), g.rows);
}

TEST(CsvReaderGenerated, SmallReadsAndGzip) {
  Generated g = generate("\n", 2 * kMiB + 777, 4);
  for (size_t chunk : {size_t{1000}, size_t{65537}, size_t{333333}}) {
    SCOPED_TRACE(chunk);
    CsvReader reader(std::make_unique<TrickleSource>(g.text, chunk));
    expect_rows(read_rows(reader), g.rows);
    EXPECT_EQ(reader.bytes_read(), g.text.size());
  }
  CsvReader gz(open_memory(gzip_bytes(g.text), "g.csv.gz"));
  expect_rows(read_rows(gz), g.rows);
}

// --- Files ------------------------------------------------------------------------------------

TEST(CsvReaderFile, OpensPlainAndGzipFiles) {
  const std::string text = "a|b\n1|2\n";
  for (const std::string& path : {temp_file(text), temp_file(gzip_bytes(text), ".csv.gz")}) {
    auto reader = CsvReader::open(path);
    EXPECT_EQ(reader->name(), path);
    EXPECT_EQ(reader->delimiter(), '|');
    EXPECT_EQ(read_rows(*reader), (std::vector<Row>{{1, {"a", "b"}}, {2, {"1", "2"}}}));
  }
}

TEST(CsvReaderFile, MissingFile) {
  EXPECT_THROW(CsvReader::open("/nonexistent-dir-tallyscope/x.csv"), InputError);
}

TEST(CsvReaderFile, ErrorNamesTheFilePath) {
  const std::string path = temp_file(gzip_bytes("a,b\n1,2\n\"x\"y,3\n"), ".csv.gz");
  try {
    auto reader = CsvReader::open(path);
    read_rows(*reader);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), path + ":3:1: ")) << e.what();
  }
}

TEST(CsvReaderSplit, SplitsOneLine) {
  EXPECT_EQ(split_csv_line("a,\"b,c\",d", ','), (std::vector<std::string>{"a", "b,c", "d"}));
  EXPECT_EQ(split_csv_line("a;\"b\"\"c\";", ';'), (std::vector<std::string>{"a", "b\"c", ""}));
  EXPECT_EQ(split_csv_line("x|y", '|'), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(split_csv_line("a,b", ';'), (std::vector<std::string>{"a,b"}));
  EXPECT_EQ(split_csv_line("", ','), std::vector<std::string>{});
}

// --- Real data (skipped when ../shared/data is absent) ---------------------------------------------

TEST(CsvReaderShared, BoliviaReferendumPipeDelimited) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2016/referendum-2016-02-21.csv.gz");
  auto reader = CsvReader::open(path);
  EXPECT_EQ(reader->delimiter(), '|');
  EXPECT_EQ(reader->encoding(), Encoding::kUtf8);
  CsvRecord rec;
  ASSERT_TRUE(reader->next(rec));
  EXPECT_EQ(rec.line, 1u);
  ASSERT_EQ(rec.fields.size(), 19u);
  EXPECT_EQ(rec.fields[0], "Codigo PAIS");
  EXPECT_EQ(rec.fields[12], "NO");
  EXPECT_EQ(rec.fields[13], "SÍ");
  EXPECT_EQ(rec.fields[18], "VALIDOS");
  ASSERT_TRUE(reader->next(rec));
  EXPECT_EQ(rec.line, 2u);
  ASSERT_EQ(rec.fields.size(), 19u);
  EXPECT_EQ(rec.fields[0], "BO");
  EXPECT_EQ(rec.fields[3], "POTOSI");
  EXPECT_EQ(rec.fields[5], "TOMÁS FRÍAS");
  EXPECT_EQ(rec.fields[12], "156");
  EXPECT_EQ(rec.fields[18], "172");
  uint64_t rows = 1, bad_width = 0, last_line = rec.line;
  while (reader->next(rec)) {
    ++rows;
    bad_width += rec.fields.size() != 19;
    EXPECT_EQ(rec.line, last_line + 1);
    last_line = rec.line;
  }
  EXPECT_EQ(rows, 29224u);
  EXPECT_EQ(bad_width, 0u);
  EXPECT_EQ(last_line, 29225u);
}

TEST(CsvReaderShared, Bolivia2019WithBom) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/computo-final.csv.gz");
  auto reader = CsvReader::open(path);
  EXPECT_TRUE(reader->had_bom());
  EXPECT_EQ(reader->encoding(), Encoding::kUtf8);
  EXPECT_EQ(reader->delimiter(), ',');
  CsvRecord rec;
  ASSERT_TRUE(reader->next(rec));
  ASSERT_EQ(rec.fields.size(), 23u);
  EXPECT_EQ(rec.fields[0], "Número Mesa");  // no byte-order mark in front
  EXPECT_EQ(rec.fields[16], "MAS - IPSP");
  EXPECT_EQ(rec.fields[22], "Nulos");
  ASSERT_TRUE(reader->next(rec));
  ASSERT_EQ(rec.fields.size(), 23u);
  EXPECT_EQ(rec.fields[0], "1001");
  EXPECT_EQ(rec.fields[2], "Berlín");
  EXPECT_EQ(rec.fields[9], "52.5051076");
  uint64_t rows = 1, bad_width = 0;
  while (reader->next(rec)) {
    ++rows;
    bad_width += rec.fields.size() != 23;
  }
  EXPECT_EQ(rows, 34555u);
  EXPECT_EQ(bad_width, 0u);
  EXPECT_EQ(rec.line, 34556u);
  EXPECT_EQ(reader->bytes_read(), std::filesystem::file_size(path));
}

TEST(CsvReaderShared, Russia2018QuotedHeaders) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-2018/2018.csv.gz");
  auto reader = CsvReader::open(path);
  EXPECT_EQ(reader->delimiter(), ',');
  CsvRecord rec;
  ASSERT_TRUE(reader->next(rec));
  EXPECT_EQ(rec.line, 1u);
  const size_t width = rec.fields.size();
  EXPECT_EQ(width, 24u);  // region, tik, uik, 12 protocol lines, 8 candidates, url
  ASSERT_GE(width, 24u);
  EXPECT_EQ(rec.fields[0], "region");
  EXPECT_EQ(rec.fields[2], "uik");
  // A quoted header with a comma inside.
  EXPECT_EQ(rec.fields[3], "Число избирателей, включенных в список избирателей");
  EXPECT_EQ(rec.fields[18], "Путин Владимир Владимирович");
  EXPECT_EQ(rec.fields[23], "url");
  ASSERT_TRUE(reader->next(rec));
  EXPECT_EQ(rec.line, 2u);
  ASSERT_EQ(rec.fields.size(), width);
  EXPECT_EQ(rec.fields[2], "1");
  EXPECT_EQ(rec.fields[3], "2256");
  EXPECT_EQ(rec.fields[18], "1977");
  uint64_t rows = 1, bad_width = 0, last_line = rec.line;
  while (reader->next(rec)) {
    ++rows;
    bad_width += rec.fields.size() != width;
    EXPECT_EQ(rec.line, last_line + 1);
    last_line = rec.line;
  }
  EXPECT_EQ(rows, 97699u);
  EXPECT_EQ(bad_width, 0u);
  EXPECT_EQ(last_line, 97700u);
}

}  // namespace
}  // namespace tallyscope
