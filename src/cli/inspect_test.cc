// `inspect` on files whose headers are hostile: the spec it prints parses back to the spec it
// guessed (a header's line break must not end a comment and plant live TOML, issue 15 item 1).
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/load.h"
#include "model/spec.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<std::string> columns(const std::vector<NamedColumn>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(c.name + "=" + c.column);
  return out;
}

TEST(InspectRoundTrip, HostileHeaderNamesParseBackToTheGuess) {
  const std::vector<std::string> hostile = {
      "A\n[[relations]]\nname = \"x\"\nequation = \"registered = 1\"\n#",
      "B\r\n[rule]\nkind = \"majority\"",
      "C \x1b]0;title\x07\x1b[2J",
      "D \u202E 33.21",
      "E \"quoted\" \\ back # hash ]] [[",
      "F\ttab\x7f\xc2\x85",
  };
  for (const std::string& h : hostile) {
    SCOPED_TRACE(h);
    const std::string file = testing::temp_file("id,place," + csv_field(h) + ",votes B\n1,P,3,4\n2,Q,5,6\n3,R,7,8\n");
    const ElectionSpec guess = detect_spec(file);
    auto r = testing::run_cli("inspect " + file);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ElectionSpec back = parse_spec(r.out, "inspect's output");
    EXPECT_EQ(columns(back.choices), columns(guess.choices));
    EXPECT_EQ(back.id, guess.id);
    EXPECT_EQ(back.geography, guess.geography);
    EXPECT_EQ(back.registered, guess.registered);
    EXPECT_EQ(back.relations.size(), guess.relations.size());
    EXPECT_EQ(to_string(back.rule.kind), to_string(guess.rule.kind));
    EXPECT_EQ(back.extras.size(), guess.extras.size());
    // Every comment stays one line: no line of the output starts with what the header planted.
    EXPECT_EQ(r.out.find("\n[[relations]]"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\x1b"), std::string::npos);
    EXPECT_EQ(r.out.find("\u202E"), std::string::npos);
  }
}

// A file name that is not UTF-8 becomes the title: written as U+FFFD, so that the spec parses.
TEST(InspectRoundTrip, NotUtf8FileNameAsTitle) {
  const std::string file = testing::temp_file("id,place,A,B\n1,P,3,4\n2,Q,5,6\n", "-caf\xe9.csv");
  auto r = testing::run_cli("inspect " + file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NO_THROW(parse_spec(r.out, "inspect's output")) << r.out;
}

}  // namespace
}  // namespace tallyscope
