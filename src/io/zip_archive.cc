#include "io/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "io/error.h"

namespace tallyscope {
namespace {

std::string zip_message(zip_error_t* e) { return zip_error_strerror(e); }

std::string zip_message(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string s = zip_error_strerror(&e);
  zip_error_fini(&e);
  return s;
}

}  // namespace

struct ZipArchive::Handle {
  zip_t* zip = nullptr;
  std::string data;  // the bytes of an archive opened from memory (libzip reads them in place)
  ~Handle() {
    if (zip) zip_discard(zip);
  }
};

struct ZipEntryReader::File {
  zip_file_t* file = nullptr;
  ~File() {
    if (file) zip_fclose(file);
  }
};

ZipArchive::ZipArchive(std::unique_ptr<Handle> h, std::string name, ZipLimits limits)
    : h_(std::move(h)), name_(std::move(name)), limits_(limits) {}
ZipArchive::~ZipArchive() = default;

std::unique_ptr<ZipArchive> ZipArchive::open_file(const std::string& path, ZipLimits limits) {
  auto h = std::make_unique<Handle>();
  int code = 0;
  h->zip = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!h->zip)
    throw InputError({path}, fmt::format("cannot read the zip archive (XLSX is a zip): {}", zip_message(code)));
  return std::unique_ptr<ZipArchive>(new ZipArchive(std::move(h), path, limits));
}

std::unique_ptr<ZipArchive> ZipArchive::open_memory(std::string data, std::string name, ZipLimits limits) {
  auto h = std::make_unique<Handle>();
  h->data = std::move(data);
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(h->data.data(), h->data.size(), 0, &err);
  if (src) {
    h->zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!h->zip) zip_source_free(src);
  }
  if (!h->zip) {
    std::string msg = zip_message(&err);
    zip_error_fini(&err);
    throw InputError({name}, fmt::format("cannot read the zip archive (XLSX is a zip): {}", msg));
  }
  zip_error_fini(&err);
  return std::unique_ptr<ZipArchive>(new ZipArchive(std::move(h), std::move(name), limits));
}

bool ZipArchive::contains(const std::string& entry) const { return zip_name_locate(h_->zip, entry.c_str(), 0) >= 0; }

std::vector<std::string> ZipArchive::entries() const {
  std::vector<std::string> out;
  zip_int64_t n = zip_get_num_entries(h_->zip, 0);
  for (zip_int64_t i = 0; i < n; ++i)
    if (const char* s = zip_get_name(h_->zip, static_cast<zip_uint64_t>(i), 0)) out.emplace_back(s);
  return out;
}

std::unique_ptr<ZipEntryReader> ZipArchive::open_entry(const std::string& entry) const {
  zip_int64_t index = zip_name_locate(h_->zip, entry.c_str(), 0);
  if (index < 0) throw InputError({name_}, fmt::format("the workbook has no part '{}'", entry));
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(h_->zip, static_cast<zip_uint64_t>(index), 0, &st) != 0)
    throw InputError({name_}, fmt::format("cannot read the zip entry '{}': {}", entry, zip_strerror(h_->zip)));
  // The sizes of the central directory are checked before any byte is inflated; the bytes read
  // are counted too, so that an entry lying about its size is caught all the same.
  if ((st.valid & ZIP_STAT_SIZE) && st.size > limits_.max_entry_bytes)
    throw InputError({name_}, fmt::format("the zip entry '{}' holds {} bytes uncompressed, above the limit of {} "
                                          "(raise it with --max-zip-entry-bytes)", entry, st.size,
                                          limits_.max_entry_bytes));
  uint64_t compressed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
  auto f = std::make_unique<ZipEntryReader::File>();
  f->file = zip_fopen_index(h_->zip, static_cast<zip_uint64_t>(index), 0);
  if (!f->file)
    throw InputError({name_}, fmt::format("cannot read the zip entry '{}': {}", entry, zip_strerror(h_->zip)));
  return std::unique_ptr<ZipEntryReader>(new ZipEntryReader(std::move(f), name_, entry, compressed, limits_));
}

std::string ZipArchive::read_entry(const std::string& entry) const {
  auto r = open_entry(entry);
  std::string out;
  char buf[1 << 16];
  while (size_t got = r->read(buf, sizeof buf)) out.append(buf, got);
  return out;
}

ZipEntryReader::ZipEntryReader(std::unique_ptr<File> f, std::string archive, std::string entry, uint64_t compressed,
                               ZipLimits limits)
    : f_(std::move(f)), archive_(std::move(archive)), entry_(std::move(entry)), compressed_(compressed),
      limits_(limits) {}
ZipEntryReader::~ZipEntryReader() = default;

size_t ZipEntryReader::read(char* out, size_t n) {
  zip_int64_t got = zip_fread(f_->file, out, n);
  if (got < 0) {
    zip_error_t* e = zip_file_get_error(f_->file);
    throw InputError({archive_}, fmt::format("corrupt zip data in the entry '{}' after {} bytes: {}", entry_, total_,
                                             zip_message(e)));
  }
  total_ += static_cast<uint64_t>(got);
  if (total_ > limits_.max_entry_bytes)
    throw InputError({archive_}, fmt::format("the zip entry '{}' inflates past the limit of {} bytes (raise it "
                                             "with --max-zip-entry-bytes)", entry_, limits_.max_entry_bytes));
  if (total_ > limits_.ratio_floor_bytes &&
      static_cast<double>(total_) > limits_.max_ratio * static_cast<double>(std::max<uint64_t>(compressed_, 1)))
    throw InputError({archive_},
                     fmt::format("the zip entry '{}' inflates {} compressed bytes past {} bytes, a ratio above the "
                                 "limit of {:g} (a zip bomb? raise it with --max-zip-ratio)", entry_, compressed_,
                                 total_, limits_.max_ratio));
  return static_cast<size_t>(got);
}

std::string write_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &err);
  if (!buffer) throw std::runtime_error("write_zip: " + zip_message(&err));
  zip_source_keep(buffer);
  zip_t* za = zip_open_from_source(buffer, ZIP_TRUNCATE, &err);
  if (!za) {
    zip_source_free(buffer);
    throw std::runtime_error("write_zip: " + zip_message(&err));
  }
  zip_error_fini(&err);
  for (const auto& [name, content] : entries) {
    zip_source_t* s = zip_source_buffer(za, content.data(), content.size(), 0);
    if (!s || zip_file_add(za, name.c_str(), s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
      if (s) zip_source_free(s);
      zip_discard(za);
      zip_source_free(buffer);
      throw std::runtime_error("write_zip: cannot add " + name);
    }
  }
  if (zip_close(za) != 0) {
    zip_discard(za);
    zip_source_free(buffer);
    throw std::runtime_error("write_zip: cannot write the archive");
  }
  std::string out;
  zip_stat_t st;
  if (zip_source_stat(buffer, &st) == 0 && zip_source_open(buffer) == 0) {
    out.resize(st.size);
    zip_int64_t got = zip_source_read(buffer, out.data(), out.size());
    out.resize(got > 0 ? static_cast<size_t>(got) : 0);
    zip_source_close(buffer);
  }
  zip_source_free(buffer);
  return out;
}

}  // namespace tallyscope
