#include "io/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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
bool output_ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A target that exists and is not a regular file (a device, a pipe): written in place.
bool written_in_place(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
}
}  // namespace

OutputFile::OutputFile(const std::string& path) : path_(path), impl_(std::make_unique<Impl>()) {
  gzip_ = output_ends_with(path, ".gz");
  if (written_in_place(path)) {
    impl_->file = std::fopen(path.c_str(), "wb");
    if (!impl_->file) throw InputError({path}, fmt::format("cannot write the file: {}", std::strerror(errno)));
  } else {
    // Beside the target, so that the rename stays on one file system and is atomic.
    std::string tmpl = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) throw InputError({path}, fmt::format("cannot create the file: {}", std::strerror(errno)));
    temp_ = tmpl;
    const mode_t mask = ::umask(0);  // mkstemp makes 0600; the file gets the usual 0666 & ~umask
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    impl_->file = ::fdopen(fd, "wb");
    if (!impl_->file) {
      const int err = errno;
      ::close(fd);
      fail("cannot create the file", err);
    }
  }
  if (gzip_) {
    // windowBits 15 + 16: a gzip wrapper with no file name and a zero time stamp.
    if (deflateInit2(&impl_->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      std::fclose(impl_->file);
      impl_->file = nullptr;
      if (!temp_.empty()) std::remove(temp_.c_str());
      throw InputError({path}, "cannot start the gzip compressor");
    }
    impl_->z_open = true;
  }
}

// Abandons the output: the temporary file is closed and removed, the target left as it was.
void OutputFile::fail(const std::string& what, int error) {
  if (impl_->z_open) deflateEnd(&impl_->z);
  impl_->z_open = false;
  if (impl_->file) std::fclose(impl_->file);
  impl_->file = nullptr;
  if (!temp_.empty()) std::remove(temp_.c_str());
  temp_.clear();
  throw InputError({path_}, fmt::format("{}: {}", what, std::strerror(error)));
}

OutputFile::~OutputFile() {
  if (!impl_->file) return;
  try {
    fail("not completed", ECANCELED);
  } catch (...) {
    // The destructor must not throw: an output that was not closed is simply not written.
  }
}

void OutputFile::write(std::string_view bytes) {
  if (!impl_->file) throw InputError({path_}, "write after close");
  bytes_ += bytes.size();
  auto put = [&](const char* data, size_t n) {
    if (n && std::fwrite(data, 1, n, impl_->file) != n) fail("write failed", errno);
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
      if (n && std::fwrite(impl_->zbuf.data(), 1, n, f) != n) fail("write failed", errno);
    } while (rc == Z_OK);
    deflateEnd(&z);
    impl_->z_open = false;
  }
  if (std::fflush(f) != 0) fail("write failed", errno);
  if (!temp_.empty() && ::fsync(::fileno(f)) != 0 && errno != EINVAL) fail("write failed", errno);
  impl_->file = nullptr;
  if (std::fclose(f) != 0) fail("write failed", errno);
  if (temp_.empty()) return;
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) fail("cannot replace the file", errno);
  temp_.clear();
}

void write_output_file(const std::string& path, std::string_view bytes) {
  OutputFile out(path);
  out.write(bytes);
  out.close();
}

void refuse_overwriting(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  namespace fs = std::filesystem;
  auto same = [](const std::string& a, const std::string& b) {
    std::error_code ec1, ec2;
    const bool ea = fs::exists(a, ec1), eb = fs::exists(b, ec2);
    if (ea && eb) {
      std::error_code ec;
      return fs::equivalent(a, b, ec);
    }
    if (ea != eb) return false;
    std::error_code ec;
    const fs::path ca = fs::weakly_canonical(a, ec), cb = fs::weakly_canonical(b, ec);
    return !ec && ca == cb;
  };
  for (size_t i = 0; i < outputs.size(); ++i) {
    const NamedPath& out = outputs[i];
    if (out.path.empty()) continue;
    if (written_in_place(out.path)) continue;  // /dev/stdout, a pipe: nothing is replaced
    for (const NamedPath& in : inputs)
      if (!in.path.empty() && same(out.path, in.path))
        throw UsageError(fmt::format("{} {} is the input {} {}: it would be overwritten; write elsewhere", out.option,
                                     out.path, in.option, in.path));
    for (size_t k = 0; k < i; ++k)
      if (!outputs[k].path.empty() && same(out.path, outputs[k].path))
        throw UsageError(fmt::format("{} and {} name the same file {}: one would overwrite the other", outputs[k].option,
                                     out.option, out.path));
  }
}

}  // namespace tallyscope
