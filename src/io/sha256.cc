#include "io/sha256.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <openssl/evp.h>

#include "io/error.h"

namespace tallyscope {
namespace {

struct MdCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~MdCtx() { EVP_MD_CTX_free(ctx); }
};

std::string hex(const unsigned char* d, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += digits[d[i] >> 4];
    out += digits[d[i] & 15];
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  MdCtx m;
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!m.ctx || EVP_DigestInit_ex(m.ctx, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(m.ctx, bytes.data(), bytes.size()) != 1 || EVP_DigestFinal_ex(m.ctx, d, &n) != 1)
    throw std::runtime_error("SHA-256 failed (libcrypto)");
  return hex(d, n);
}

FileDigest sha256_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw InputError({path}, std::string("cannot open: ") + std::strerror(errno));
  MdCtx m;
  if (!m.ctx || EVP_DigestInit_ex(m.ctx, EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 failed (libcrypto)");
  std::vector<char> buf(1 << 16);
  FileDigest out;
  size_t got;
  while ((got = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) {
    if (EVP_DigestUpdate(m.ctx, buf.data(), got) != 1) throw std::runtime_error("SHA-256 failed (libcrypto)");
    out.bytes += got;
  }
  if (std::ferror(f.get())) throw InputError({path}, "read error");
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (EVP_DigestFinal_ex(m.ctx, d, &n) != 1) throw std::runtime_error("SHA-256 failed (libcrypto)");
  out.sha256 = hex(d, n);
  return out;
}

}  // namespace tallyscope
