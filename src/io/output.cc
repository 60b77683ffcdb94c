#include "io/output.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "io/error.h"

namespace tallyscope {

struct OutputFile::Impl {
  std::FILE* file = nullptr;
  z_stream z{};
  bool z_open = false;
  std::string zbuf = std::string(1 << 16, '\0');
};

namespace {
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

OutputFile::OutputFile(const std::string& path) : path_(path), impl_(std::make_unique<Impl>()) {
  gzip_ = ends_with(path, ".gz");
  impl_->file = std::fopen(path.c_str(), "wb");
  if (!impl_->file) throw InputError({path}, fmt::format("cannot create the file: {}", std::strerror(errno)));
  if (gzip_) {
    // windowBits 15 + 16: a gzip wrapper with no file name and a zero time stamp.
    if (deflateInit2(&impl_->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      std::fclose(impl_->file);
      impl_->file = nullptr;
      throw InputError({path}, "cannot start the gzip compressor");
    }
    impl_->z_open = true;
  }
}

OutputFile::~OutputFile() {
  try {
    close();
  } catch (...) {
    // The destructor must not throw; callers that care call close() themselves.
  }
}

void OutputFile::write(std::string_view bytes) {
  if (!impl_->file) throw InputError({path_}, "write after close");
  bytes_ += bytes.size();
  auto put = [&](const char* data, size_t n) {
    if (n && std::fwrite(data, 1, n, impl_->file) != n)
      throw InputError({path_}, fmt::format("write failed: {}", std::strerror(errno)));
  };
  if (!gzip_) {
    put(bytes.data(), bytes.size());
    return;
  }
  z_stream& z = impl_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  // Chunks larger than 4 GiB are not expected (callers write buffers of about 1 MiB).
  while (z.avail_in > 0) {
    z.next_out = reinterpret_cast<Bytef*>(impl_->zbuf.data());
    z.avail_out = static_cast<uInt>(impl_->zbuf.size());
    deflate(&z, Z_NO_FLUSH);
    put(impl_->zbuf.data(), impl_->zbuf.size() - z.avail_out);
  }
}

void OutputFile::close() {
  if (!impl_ || !impl_->file) return;
  std::FILE* f = impl_->file;
  if (gzip_ && impl_->z_open) {
    z_stream& z = impl_->z;
    z.next_in = nullptr;
    z.avail_in = 0;
    int rc;
    do {
      z.next_out = reinterpret_cast<Bytef*>(impl_->zbuf.data());
      z.avail_out = static_cast<uInt>(impl_->zbuf.size());
      rc = deflate(&z, Z_FINISH);
      size_t n = impl_->zbuf.size() - z.avail_out;
      if (n && std::fwrite(impl_->zbuf.data(), 1, n, f) != n) {
        deflateEnd(&z);
        impl_->z_open = false;
        std::fclose(f);
        impl_->file = nullptr;
        throw InputError({path_}, fmt::format("write failed: {}", std::strerror(errno)));
      }
    } while (rc == Z_OK);
    deflateEnd(&z);
    impl_->z_open = false;
  }
  impl_->file = nullptr;
  if (std::fclose(f) != 0) throw InputError({path_}, fmt::format("write failed: {}", std::strerror(errno)));
}

}  // namespace tallyscope
