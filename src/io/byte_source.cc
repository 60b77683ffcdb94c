#include "io/byte_source.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "io/error.h"
#include "io/xlsx_reader.h"

namespace tallyscope {
namespace {

class FileSource final : public ByteSource {
 public:
  explicit FileSource(std::string path) : name_(std::move(path)) {
    if (name_ == "-") {
      file_ = stdin;
      owned_ = false;
    } else {
      file_ = std::fopen(name_.c_str(), "rb");
      if (!file_) throw InputError({name_}, fmt::format("cannot open: {}", std::strerror(errno)));
    }
  }
  ~FileSource() override {
    if (file_ && owned_) std::fclose(file_);
  }
  size_t read(char* out, size_t n) override {
    size_t got = std::fread(out, 1, n, file_);
    if (got == 0 && std::ferror(file_))
      throw InputError({name_}, fmt::format("read error: {}", std::strerror(errno)));
    raw_ += got;
    return got;
  }
  const std::string& name() const override { return name_; }
  uint64_t raw_bytes_read() const override { return raw_; }

 private:
  std::string name_;
  std::FILE* file_ = nullptr;
  bool owned_ = true;
  uint64_t raw_ = 0;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string data, std::string name) : data_(std::move(data)), name_(std::move(name)) {}
  size_t read(char* out, size_t n) override {
    size_t got = std::min(n, data_.size() - pos_);
    std::memcpy(out, data_.data() + pos_, got);
    pos_ += got;
    return got;
  }
  const std::string& name() const override { return name_; }
  uint64_t raw_bytes_read() const override { return pos_; }

 private:
  std::string data_;
  std::string name_;
  size_t pos_ = 0;
};

// Puts back bytes that were read to sniff the magic number.
class PeekedSource final : public ByteSource {
 public:
  PeekedSource(std::unique_ptr<ByteSource> inner, std::string head, bool zip)
      : inner_(std::move(inner)), head_(std::move(head)), zip_(zip) {}
  size_t read(char* out, size_t n) override {
    if (pos_ < head_.size()) {
      size_t got = std::min(n, head_.size() - pos_);
      std::memcpy(out, head_.data() + pos_, got);
      pos_ += got;
      return got;
    }
    return inner_->read(out, n);
  }
  const std::string& name() const override { return inner_->name(); }
  uint64_t raw_bytes_read() const override { return inner_->raw_bytes_read(); }
  bool is_zip() const override { return zip_; }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string head_;
  size_t pos_ = 0;
  bool zip_ = false;
};

// zlib's inflate over a raw source. Handles concatenated gzip members (as gzip -d does).
class GzipSource final : public ByteSource {
 public:
  GzipSource(std::unique_ptr<ByteSource> raw, const ReadLimits& limits)
      : raw_(std::move(raw)), in_(1 << 17), max_ratio_(limits.max_gzip_ratio), ratio_from_(limits.gzip_ratio_from) {
    std::memset(&z_, 0, sizeof z_);
    if (inflateInit2(&z_, 15 + 16) != Z_OK) throw InputError({raw_->name()}, "cannot initialise zlib");
  }
  ~GzipSource() override { inflateEnd(&z_); }

  size_t read(char* out, size_t n) override {
    if (done_ || n == 0) return 0;
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(std::min<size_t>(n, kMaxOutPerRead));
    while (z_.avail_out > 0) {
      if (z_.avail_in == 0) {
        size_t got = raw_->read(reinterpret_cast<char*>(in_.data()), in_.size());
        if (got == 0) {
          if (in_member_)
            throw InputError({raw_->name()},
                             fmt::format("truncated gzip stream: the compressed data ends early "
                                         "(after {} decompressed bytes)", total_out_ + static_cast<uint64_t>(reinterpret_cast<char*>(z_.next_out) - out)));
          done_ = true;
          break;
        }
        z_.next_in = in_.data();
        z_.avail_in = static_cast<uInt>(got);
      }
      if (!in_member_) {
        // Between members: trailing zero padding is allowed, anything else must be a new member.
        while (z_.avail_in > 0 && *z_.next_in == 0) { ++z_.next_in; --z_.avail_in; }
        if (z_.avail_in == 0) continue;
        inflateReset(&z_);
        in_member_ = true;
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        continue;
      }
      if (rc == Z_BUF_ERROR) continue;  // needs more input
      if (rc != Z_OK)
        throw InputError({raw_->name()},
                         fmt::format("corrupt gzip data ({}) after {} decompressed bytes",
                                     z_.msg ? z_.msg : "zlib error", total_out_ + static_cast<uint64_t>(reinterpret_cast<char*>(z_.next_out) - out)));
    }
    size_t got = static_cast<size_t>(reinterpret_cast<char*>(z_.next_out) - out);
    total_out_ += got;
    check_ratio();
    return got;
  }
  const std::string& name() const override { return raw_->name(); }
  uint64_t raw_bytes_read() const override { return raw_->raw_bytes_read(); }

 private:
  // A read gives at most this much, so that a bomb is caught within a few MB of the ratio.
  static constexpr size_t kMaxOutPerRead = 4u << 20;

  void check_ratio() const {
    if (max_ratio_ == 0 || total_out_ <= ratio_from_) return;
    const uint64_t raw = std::max<uint64_t>(1, raw_->raw_bytes_read());
    if (total_out_ / raw <= max_ratio_) return;
    throw InputError({raw_->name()},
                     fmt::format("gzip data expanding more than {} times ({} compressed bytes gave {} bytes so far): "
                                 "a decompression bomb? Refused by default; raise the limit with --max-gzip-ratio "
                                 "(0: no limit)", max_ratio_, raw, total_out_));
  }

  std::unique_ptr<ByteSource> raw_;
  std::vector<Bytef> in_;
  uint64_t max_ratio_, ratio_from_;
  z_stream z_;
  bool in_member_ = true;
  bool done_ = false;
  uint64_t total_out_ = 0;
};

class LimitedSource final : public ByteSource {
 public:
  LimitedSource(std::unique_ptr<ByteSource> inner, uint64_t limit) : inner_(std::move(inner)), limit_(limit) {}
  size_t read(char* out, size_t n) override {
    size_t got = inner_->read(out, n);
    total_ += got;
    if (total_ > limit_)
      throw InputError({inner_->name()},
                       fmt::format("input is larger than the limit of {} bytes (raise it with --max-file-bytes)",
                                   limit_));
    return got;
  }
  const std::string& name() const override { return inner_->name(); }
  uint64_t raw_bytes_read() const override { return inner_->raw_bytes_read(); }
  bool is_zip() const override { return inner_->is_zip(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  uint64_t limit_;
  uint64_t total_ = 0;
};

std::unique_ptr<ByteSource> wrap(std::unique_ptr<ByteSource> raw, ReadLimits limits) {
  std::string head(4, '\0');
  size_t got = 0;
  while (got < 4) {
    size_t r = raw->read(head.data() + got, 4 - got);
    if (r == 0) break;
    got += r;
  }
  head.resize(got);
  bool gzip = got >= 2 && static_cast<unsigned char>(head[0]) == 0x1f && static_cast<unsigned char>(head[1]) == 0x8b;
  bool zip = looks_like_zip(head);
  std::unique_ptr<ByteSource> src = std::make_unique<PeekedSource>(std::move(raw), std::move(head), zip);
  if (gzip) src = std::make_unique<GzipSource>(std::move(src), limits);
  if (limits.max_file_bytes > 0) src = std::make_unique<LimitedSource>(std::move(src), limits.max_file_bytes);
  return src;
}

}  // namespace

std::unique_ptr<ByteSource> open_input(const std::string& path, ReadLimits limits) {
  return wrap(std::make_unique<FileSource>(path), limits);
}

std::unique_ptr<ByteSource> open_memory(std::string data, std::string name, ReadLimits limits) {
  return wrap(std::make_unique<MemorySource>(std::move(data), std::move(name)), limits);
}

}  // namespace tallyscope
