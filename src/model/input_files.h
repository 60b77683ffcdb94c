// A count given as several files: a folder of tables (one file per sheet, or per district, as the
// Honduran CNE and Kenya's IEBC serve them) or a list file, `@LIST`, naming one path a line. Both
// are read as one count: the first file decides the layout, and each later file's columns are
// found in it by name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tallyscope {

struct InputFiles {
  std::string source;                // as the user named it
  std::vector<std::string> files;    // the files to read, in order; {source} for one plain file
  std::vector<std::string> skipped;  // a folder's entries that are not tables (README.md, subfolders)
  bool several = false;              // a folder or a list, even of one file
};

// A folder: its regular files with a table's extension (.csv, .tsv, .tab, .txt, .xlsx, each
// optionally .gz) in byte order of their names; hidden files, other files and subfolders are
// skipped (listed). `@LIST`: the paths in LIST, one a line (blank lines and lines starting with
// '#' skipped), relative to LIST's folder. Anything else, "-" included, is one plain file.
// Throws InputError for a folder without tables, an empty list, or a path listed twice (its
// sheets would be counted twice).
InputFiles resolve_inputs(const std::string& path);

// A later file's row in the first file's column order. Columns are matched by their name in the
// header (exact, else after normalise_name); a column the first file has and this one lacks reads
// as empty unless it is one of `used` (mapped by the spec): that is an error naming this file's
// header line. A file with the first file's header passes its rows through unchanged.
class HeaderMap {
 public:
  HeaderMap(const std::vector<std::string>& first, const std::vector<std::string>& header,
            const std::vector<size_t>& used, const std::string& file, uint64_t header_line);
  bool identity() const { return identity_; }
  // Throws InputError (file, line) for a row whose width differs from its own header's.
  const std::vector<std::string_view>& apply(uint64_t line, const std::vector<std::string_view>& fields);

 private:
  std::string file_;
  size_t width_;
  bool identity_ = true;
  std::vector<size_t> from_;  // per first-file column: this file's column, SIZE_MAX when absent
  std::vector<std::string_view> out_;
};

}  // namespace tallyscope
