#include "io/xlsx_reader.h"

#include <gtest/gtest.h>

#include "io/csv_reader.h"
#include "io/error.h"
#include "io/xlsx_writer.h"
#include "io/zip_archive.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

constexpr const char* kNs = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                            "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

// A workbook written part by part: the sheets' XML as given (each one's <sheetData> content).
std::string hand_book(const std::vector<std::pair<std::string, std::string>>& sheets, const std::string& sst = "",
                      const std::string& workbook_pr = "") {
  std::vector<std::pair<std::string, std::string>> parts;
  std::string wb = std::string("<?xml version=\"1.0\"?><workbook ") + kNs + ">" + workbook_pr + "<sheets>";
  std::string rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  for (size_t i = 0; i < sheets.size(); ++i) {
    wb += "<sheet name=\"" + sheets[i].first + "\" sheetId=\"" + std::to_string(i + 1) + "\" r:id=\"rId" +
          std::to_string(i + 1) + "\"/>";
    rels += "<Relationship Id=\"rId" + std::to_string(i + 1) +
            "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
            "Target=\"worksheets/sheet" + std::to_string(i + 1) + ".xml\"/>";
    if (sheets[i].second != "<missing>")
      parts.emplace_back("xl/worksheets/sheet" + std::to_string(i + 1) + ".xml",
                         std::string("<worksheet ") + kNs + "><sheetData>" + sheets[i].second + "</sheetData></worksheet>");
  }
  if (!sst.empty()) {
    rels += "<Relationship Id=\"rIdS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
            "sharedStrings\" Target=\"/xl/sharedStrings.xml\"/>";
    parts.emplace_back("xl/sharedStrings.xml", std::string("<sst ") + kNs + ">" + sst + "</sst>");
  }
  parts.emplace_back("xl/workbook.xml", wb + "</sheets></workbook>");
  parts.emplace_back("xl/_rels/workbook.xml.rels", rels + "</Relationships>");
  return write_zip(parts);
}

std::vector<std::pair<uint64_t, std::vector<std::string>>> read_rows(XlsxReader& r) {
  std::vector<std::pair<uint64_t, std::vector<std::string>>> out;
  std::vector<std::string_view> f;
  uint64_t row = 0;
  while (r.next(f, row)) out.emplace_back(row, std::vector<std::string>(f.begin(), f.end()));
  return out;
}

template <typename F>
void expect_xlsx_error(F&& f, std::initializer_list<const char*> needles) {
  try {
    f();
    FAIL() << "no error";
  } catch (const InputError& e) {
    for (const char* n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
  }
}

using Rows = std::vector<std::pair<uint64_t, std::vector<std::string>>>;

TEST(XlsxReader, SharedAndInlineStringsNumbersBooleansAndSparseCells) {
  std::string sst =
      "<si><t>id</t></si><si><t>name</t></si><si><r><t>Frente </t></r><r><rPr><b/></rPr><t>Popular</t></r>"
      "<rPh><t>ignored</t></rPh></si><si><t xml:space=\"preserve\"> A &amp; B </t></si>";
  std::string sheet =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"inlineStr\">"
      "<is><t>votes</t></is></c><c r=\"D1\" t=\"inlineStr\"><is><t>ok</t></is></c></row>"
      "<row r=\"2\"><c r=\"A2\"><v>1001.0</v></c><c r=\"B2\" t=\"s\"><v>2</v></c><c r=\"C2\" t=\"n\"><v>1.0E3</v></c>"
      "<c r=\"D2\" t=\"b\"><v>1</v></c></row>"
      "<row r=\"4\" spans=\"1:4\"><c r=\"C4\"><f>SUM(C2:C3)</f><v>1000.0000000000001</v></c></row>"  // sparse: A4, B4, D4 empty
      "<row r=\"5\"></row>"                                                                         // an empty row: skipped
      "<row r=\"7\"><c r=\"A7\" t=\"s\"><v>3</v></c><c r=\"B7\" t=\"e\"><v>#N/A</v></c><c r=\"D7\" t=\"b\"><v>0</v></c></row>";
  auto r = XlsxReader::open_memory(hand_book({{"Data", sheet}}, sst), "t.xlsx");
  EXPECT_EQ(r->sheet_name(), "Data");
  Rows rows = read_rows(*r);
  Rows want = {{1, {"id", "name", "votes", "ok"}},
               {2, {"1001", "Frente Popular", "1000", "TRUE"}},
               {4, {"", "", "1000", ""}},
               {7, {" A & B ", "#N/A", "", "FALSE"}}};
  EXPECT_EQ(rows, want);
}

TEST(XlsxReader, CellsWithoutReferencesAndPrefixedNames) {
  std::string sheet = "<x:row xmlns:x=\"urn:x\"><x:c t=\"inlineStr\"><x:is><x:t>a</x:t></x:is></x:c>"
                      "<x:c><x:v>2</x:v></x:c></x:row><row><c r=\"B2\"><v>3</v></c></row>";
  auto r = XlsxReader::open_memory(hand_book({{"S", sheet}}), "p.xlsx");
  Rows want = {{1, {"a", "2"}}, {2, {"", "3"}}};
  EXPECT_EQ(read_rows(*r), want);
}

TEST(XlsxReader, ChoosesTheSheetByNameOrNumber) {
  std::string book = hand_book({{"First", "<row><c t=\"inlineStr\"><is><t>one</t></is></c></row>"},
                                {"Second &amp; last", "<row><c t=\"inlineStr\"><is><t>two</t></is></c></row>"}});
  auto rows_of = [&](const std::string& sheet) {
    XlsxOptions o;
    o.sheet = sheet;
    auto r = XlsxReader::open_memory(book, "s.xlsx", o);
    return read_rows(*r).at(0).second.at(0);
  };
  EXPECT_EQ(rows_of(""), "one");
  EXPECT_EQ(rows_of("Second & last"), "two");
  EXPECT_EQ(rows_of("second & LAST"), "two");
  EXPECT_EQ(rows_of("2"), "two");
  EXPECT_EQ(rows_of("1"), "one");
  auto names = XlsxReader::open_memory(book, "s.xlsx")->sheet_names();
  EXPECT_EQ(names, (std::vector<std::string>{"First", "Second & last"}));
  XlsxOptions missing;
  missing.sheet = "Third";
  expect_xlsx_error([&] { XlsxReader::open_memory(book, "s.xlsx", missing); },
                    {"s.xlsx", "no sheet 'Third'", "1 'First', 2 'Second & last'", "--sheet"});
  missing.sheet = "3";
  expect_xlsx_error([&] { XlsxReader::open_memory(book, "s.xlsx", missing); }, {"no sheet '3'"});
  // Listed in the workbook but its part is absent.
  expect_xlsx_error([&] { XlsxReader::open_memory(hand_book({{"Gone", "<missing>"}}), "g.xlsx"); },
                    {"g.xlsx", "sheet 'Gone' is missing"});
}

TEST(XlsxReader, MalformedWorkbooksAreInputErrorsNamingSheetRowAndCell) {
  auto open = [](const std::string& sheet, const std::string& sst = "") {
    return [=] {
      auto r = XlsxReader::open_memory(hand_book({{"Votes", sheet}}, sst), "bad.xlsx");
      read_rows(*r);
    };
  };
  expect_xlsx_error(open("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>2</v>"),
                    {"bad.xlsx", "malformed XML", "xl/worksheets/sheet1.xml"});
  expect_xlsx_error(open("<row r=\"3\"><c r=\"A3\" t=\"s\"><v>7</v></c></row>", "<si><t>x</t></si>"),
                    {"bad.xlsx:3:1", "sheet 'Votes', cell A3", "shared string index '7'"});
  expect_xlsx_error(open("<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c></row>"), {"bad.xlsx:3:1", "0 shared strings"});
  expect_xlsx_error(open("<row r=\"2\"><c r=\"B2\"><v>x1</v></c></row>"), {"bad.xlsx:2:2", "cell B2", "not a number"});
  expect_xlsx_error(open("<row r=\"2\"><c r=\"B9\"><v>1</v></c></row>"), {"bad.xlsx:2", "'B9' is not a cell of row 2"});
  expect_xlsx_error(open("<row r=\"2\"><c r=\"C2\"><v>1</v></c><c r=\"B2\"><v>1</v></c></row>"),
                    {"bad.xlsx:2:2", "out of order"});
  expect_xlsx_error(open("<row r=\"5\"><c><v>1</v></c></row><row r=\"4\"><c><v>1</v></c></row>"),
                    {"bad.xlsx:4", "row 4 comes after row 5"});
  expect_xlsx_error(open("<row r=\"0\"><c><v>1</v></c></row>"), {"row number '0'"});
  expect_xlsx_error(open("<c><v>1</v></c>"), {"a cell outside a row"});
  // A document type is refused before any entity could expand.
  std::string doctype = write_zip(
      {{"xl/workbook.xml", "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY a \"aaaa\">]><workbook><sheets/></workbook>"}});
  expect_xlsx_error([&] { XlsxReader::open_memory(doctype, "dtd.xlsx"); }, {"dtd.xlsx", "document type"});
  // A zip without a workbook; a workbook without sheets.
  expect_xlsx_error([&] { XlsxReader::open_memory(write_zip({{"content.xml", "<a/>"}}), "odt.zip"); },
                    {"odt.zip", "not an XLSX workbook"});
  expect_xlsx_error([&] { XlsxReader::open_memory(write_zip({{"xl/workbook.xml", "<workbook/>"}}), "e.xlsx"); },
                    {"e.xlsx", "lists no sheet"});
  XlsxOptions narrow;
  narrow.max_columns = 3;
  expect_xlsx_error([&] {
    auto r = XlsxReader::open_memory(hand_book({{"W", "<row><c r=\"D1\"><v>1</v></c></row>"}}), "w.xlsx", narrow);
    read_rows(*r);
  }, {"w.xlsx:1:4", "more than 3 columns", "--max-columns"});
}

TEST(XlsxReader, WriterRoundTrips) {
  std::vector<std::vector<std::string>> rows = {
      {"id", "name", "votes"}, {"0001", "Ünïcode & <tags>", "12"}, {"2", "", "2.5"}, {"3", "x", ""}};
  for (bool shared : {true, false}) {
    auto r = XlsxReader::open_memory(write_xlsx({{"Sheet1", rows}}, shared), "w.xlsx");
    Rows got = read_rows(*r);
    ASSERT_EQ(got.size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(got[i].first, i + 1);
      EXPECT_EQ(got[i].second, rows[i]);
    }
  }
}

TEST(XlsxReader, CsvReaderReadsWorkbooksByTheirSignature) {
  std::string book = write_xlsx({{"S", {{"a", "b"}, {"1", "x"}}}});
  // Whatever the name: a file, and bytes in memory (standard input's path).
  for (const char* suffix : {".xlsx", ".csv", ""}) {
    auto reader = CsvReader::open(testing::temp_file(book, suffix));
    EXPECT_TRUE(reader->is_xlsx());
    EXPECT_EQ(reader->sheet_name(), "S");
    CsvRecord rec;
    ASSERT_TRUE(reader->next(rec));
    ASSERT_TRUE(reader->next(rec));
    EXPECT_EQ(rec.line, 2u);
    EXPECT_EQ(std::vector<std::string>(rec.fields.begin(), rec.fields.end()), (std::vector<std::string>{"1", "x"}));
    EXPECT_FALSE(reader->next(rec));
  }
  CsvReader mem(open_memory(book, "stdin"));
  EXPECT_TRUE(mem.is_xlsx());
  CsvRecord rec;
  ASSERT_TRUE(mem.next(rec));
  EXPECT_EQ(rec.fields.size(), 2u);
  expect_xlsx_error([] { CsvReader::open(testing::temp_file("a,b\n1,2\n", ".xlsx")); },
                    {"named like an XLSX workbook but not a zip archive"});
  expect_xlsx_error([] { CsvReader::open(testing::temp_file(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1xx", 10), ".xls")); },
                    {"Excel 97-2003"});
  expect_xlsx_error([&] { CsvReader(open_memory(book.substr(0, book.size() / 2), "half")); }, {"half", "zip"});
}

}  // namespace
}  // namespace tallyscope
