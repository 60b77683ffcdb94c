// Errors in the user's input: always carry the file and, when known, the line and column.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace tallyscope {

// Where in the user's input something is. line and column are 1-based; 0 means "not known".
struct SourceLocation {
  SourceLocation() = default;
  SourceLocation(std::string f, uint64_t l = 0, uint64_t c = 0, std::string name = {})
      : file(std::move(f)), line(l), column(c), column_name(std::move(name)) {}
  std::string file;
  uint64_t line = 0;
  uint64_t column = 0;
  std::string column_name;  // the header's name of `column`, when there is one

  std::string to_string() const;
};

// Thrown for input that cannot be used as given (malformed CSV, non-numeric counts, a missing
// mapped column, an unreadable gzip stream, ...). The command line turns it into exit code 2.
class InputError : public std::runtime_error {
 public:
  InputError(SourceLocation where, const std::string& message);
  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string message_;
};

// Thrown for a wrong combination of options or arguments (also exit code 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tallyscope
