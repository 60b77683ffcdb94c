// libFuzzer target: the TOML election spec parser, and the writer's round trip on what parses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "io/error.h"
#include "model/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tallyscope;
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    ElectionSpec s = parse_spec(text, "fuzz.toml");
    // What parses must write out as a spec that parses back to the same text.
    std::string once = write_spec(s);
    std::string twice = write_spec(parse_spec(once, "written.toml"));
    if (once != twice) std::abort();
  } catch (const InputError&) {
  } catch (const UsageError&) {
  }
  return 0;
}
