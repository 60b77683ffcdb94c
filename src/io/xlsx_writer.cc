#include "io/xlsx_writer.h"

#include <unordered_map>

#include <fmt/format.h>

#include "io/xlsx_cell.h"
#include "io/zip_archive.h"

namespace tallyscope {

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += c;
    }
  }
  return out;
}

std::string write_xlsx(const std::vector<XlsxSheetData>& sheets, bool shared_strings) {
  constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  std::vector<std::pair<std::string, std::string>> parts;
  std::string types = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/"
                      "package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                      "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package."
                      "relationships+xml\"/></Types>";
  parts.emplace_back("[Content_Types].xml", types);
  parts.emplace_back("_rels/.rels",
                     fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas."
                                 "openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{}/"
                                 "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>", kRel));
  std::string workbook = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{}\" "
                                     "xmlns:r=\"{}\"><sheets>", kMain, kRel);
  std::string rels = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas."
                     "openxmlformats.org/package/2006/relationships\">";
  std::vector<std::string> strings;
  std::unordered_map<std::string, size_t> string_index;
  for (size_t s = 0; s < sheets.size(); ++s) {
    workbook += fmt::format("<sheet name=\"{}\" sheetId=\"{}\" r:id=\"rId{}\"/>", xml_escape(sheets[s].name), s + 1, s + 1);
    rels += fmt::format("<Relationship Id=\"rId{}\" Type=\"{}/worksheet\" Target=\"worksheets/sheet{}.xml\"/>", s + 1,
                        kRel, s + 1);
    std::string xml = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{}\"><sheetData>", kMain);
    for (size_t r = 0; r < sheets[s].rows.size(); ++r) {
      xml += fmt::format("<row r=\"{}\">", r + 1);
      const auto& row = sheets[s].rows[r];
      for (size_t c = 0; c < row.size(); ++c) {
        const std::string& v = row[c];
        if (v.empty()) continue;
        std::string ref = column_letters(static_cast<uint32_t>(c + 1)) + std::to_string(r + 1);
        auto number = excel_number_text(v);
        if (number && *number == v) {
          xml += fmt::format("<c r=\"{}\"><v>{}</v></c>", ref, v);
        } else if (shared_strings) {
          auto [it, fresh] = string_index.emplace(v, strings.size());
          if (fresh) strings.push_back(v);
          xml += fmt::format("<c r=\"{}\" t=\"s\"><v>{}</v></c>", ref, it->second);
        } else {
          xml += fmt::format("<c r=\"{}\" t=\"inlineStr\"><is><t>{}</t></is></c>", ref, xml_escape(v));
        }
      }
      xml += "</row>";
    }
    xml += "</sheetData></worksheet>";
    parts.emplace_back(fmt::format("xl/worksheets/sheet{}.xml", s + 1), std::move(xml));
  }
  workbook += "</sheets></workbook>";
  if (!strings.empty()) {
    rels += fmt::format("<Relationship Id=\"rIdS\" Type=\"{}/sharedStrings\" Target=\"sharedStrings.xml\"/>", kRel);
    std::string sst = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{}\" count=\"{}\">", kMain,
                                  strings.size());
    for (const auto& v : strings) sst += "<si><t xml:space=\"preserve\">" + xml_escape(v) + "</t></si>";
    sst += "</sst>";
    parts.emplace_back("xl/sharedStrings.xml", std::move(sst));
  }
  rels += "</Relationships>";
  parts.emplace_back("xl/workbook.xml", std::move(workbook));
  parts.emplace_back("xl/_rels/workbook.xml.rels", std::move(rels));
  return write_zip(parts);
}

}  // namespace tallyscope
