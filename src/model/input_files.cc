#include "model/input_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include "io/csv_reader.h"
#include "io/error.h"
#include "model/layout.h"

namespace tallyscope {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxFiles = 2'000'000;  // a folder or list beyond this is not an election's sheets

bool is_table_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (name.size() > 3 && name.ends_with(".gz")) name.resize(name.size() - 3);
  for (const char* ext : {".csv", ".tsv", ".tab", ".txt", ".xlsx"})
    if (name.ends_with(ext) && name.size() > std::string_view(ext).size()) return true;
  return false;
}

InputFiles list_folder(const std::string& path) {
  InputFiles in;
  in.source = path;
  in.several = true;
  std::error_code ec;
  fs::directory_iterator it(path, ec), end;
  if (ec) throw InputError({path}, fmt::format("cannot list the folder: {}", ec.message()));
  const std::string prefix = path.ends_with('/') ? path : path + "/";
  for (; it != end; it.increment(ec)) {
    if (ec) throw InputError({path}, fmt::format("cannot list the folder: {}", ec.message()));
    const std::string name = it->path().filename().string();
    std::error_code ek;
    const bool regular = it->is_regular_file(ek);  // follows symbolic links
    if (name.starts_with('.')) continue;           // hidden: .DS_Store, editors' files
    if (!regular || !is_table_name(name)) {
      in.skipped.push_back(name + (it->is_directory(ek) ? "/" : ""));
      continue;
    }
    in.files.push_back(prefix + name);
    if (in.files.size() > kMaxFiles)
      throw InputError({path}, fmt::format("the folder holds more than {} tables", kMaxFiles));
  }
  std::sort(in.files.begin(), in.files.end());
  std::sort(in.skipped.begin(), in.skipped.end());
  if (in.files.empty())
    throw InputError({path}, fmt::format("the folder holds no table (files ending .csv, .tsv, .tab, .txt or .xlsx, "
                                         "optionally .gz){}",
                                         in.skipped.empty() ? "" : fmt::format("; it holds {} other entries",
                                                                               in.skipped.size())));
  return in;
}

InputFiles read_list(const std::string& arg) {
  InputFiles in;
  in.source = arg;
  in.several = true;
  const std::string list = arg.substr(1);
  std::ifstream f(list, std::ios::binary);
  if (!f) throw InputError({list}, "cannot open the list of files");
  const fs::path base = fs::path(list).parent_path();
  std::unordered_map<std::string, uint64_t> seen;  // normalised path -> line
  std::string text;
  uint64_t line = 0;
  while (std::getline(f, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    const size_t b = text.find_first_not_of(" \t");
    if (b == std::string::npos || text[b] == '#') continue;
    text = text.substr(b, text.find_last_not_of(" \t") - b + 1);
    if (text.find('\0') != std::string::npos) throw InputError({list, line}, "a NUL byte in a path");
    fs::path p(text);
    if (p.is_relative() && !base.empty()) p = base / p;
    const std::string key = p.lexically_normal().string();
    auto [at, fresh] = seen.emplace(key, line);
    if (!fresh)
      throw InputError({list, line}, fmt::format("'{}' is listed twice (first on line {}): its sheets would be "
                                                 "counted twice", text, at->second));
    in.files.push_back(p.string());
    if (in.files.size() > kMaxFiles) throw InputError({list, line}, fmt::format("more than {} files", kMaxFiles));
  }
  if (in.files.empty()) throw InputError({list}, "the list names no file");
  return in;
}

}  // namespace

InputFiles resolve_inputs(const std::string& path) {
  if (path.size() > 1 && path[0] == '@') return read_list(path);
  std::error_code ec;
  if (path != "-" && fs::is_directory(path, ec)) return list_folder(path);
  InputFiles in;
  in.source = path;
  in.files = {path};
  return in;
}

HeaderMap::HeaderMap(const std::vector<std::string>& first, const std::vector<std::string>& header,
                     const std::vector<size_t>& used, const std::string& file, uint64_t header_line)
    : file_(file), width_(header.size()) {
  identity_ = first == header;
  if (identity_) return;
  std::unordered_map<std::string, size_t> exact, loose;
  for (size_t i = 0; i < header.size(); ++i) {
    auto [e, fresh] = exact.emplace(header[i], i);
    if (!fresh) e->second = SIZE_MAX;  // a repeated name matches nothing
    auto [l, fresh_l] = loose.emplace(normalise_name(header[i]), i);
    if (!fresh_l) l->second = SIZE_MAX;
  }
  const std::set<size_t> mapped(used.begin(), used.end());
  from_.assign(first.size(), SIZE_MAX);
  for (size_t k = 0; k < first.size(); ++k) {
    auto e = exact.find(first[k]);
    if (e != exact.end()) {
      from_[k] = e->second;
    } else if (auto l = loose.find(normalise_name(first[k])); l != loose.end()) {
      from_[k] = l->second;
    }
    if (from_[k] == SIZE_MAX && mapped.count(k))
      throw InputError({file, header_line, 0, first[k]},
                       fmt::format("this file has no column '{}' (or has it twice), which the first file of the count "
                                   "has and the spec reads: the files of one count must share the columns read",
                                   first[k]));
  }
}

const std::vector<std::string_view>& HeaderMap::apply(uint64_t line, const std::vector<std::string_view>& fields) {
  if (identity_) return fields;  // the loader checks the width (and may repair a stray quote)
  if (fields.size() != width_) throw ragged_row(file_, line, fields.size(), width_);
  out_.resize(from_.size());
  for (size_t k = 0; k < from_.size(); ++k) out_[k] = from_[k] == SIZE_MAX ? std::string_view() : fields[from_[k]];
  return out_;
}

}  // namespace tallyscope
