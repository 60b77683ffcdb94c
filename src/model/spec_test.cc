#include "model/spec.h"

#include <cmath>

#include <gtest/gtest.h>

#include "io/error.h"
#include "model/layout.h"

namespace tallyscope {
namespace {

const char* kSpecText = R"(
title = "Test"
choices = ["A", { name = "Bee", column = "B votes" }]

[columns]
id = ["region", "station"]
geography = ["region"]
registered = "reg"
blank = "blank"
invalid = "null"
valid = "valid"
timestamp = "at"
timezone = "-04:00"

[extras]
received = "Ballots received"
issued = "Ballots issued"
left = "Ballots left"

[[relations]]
name = "balance"
equation = "received = issued + left"

[rule]
kind = "threshold"
base = "valid"
majority = 0.5
min_share = 0.4
min_lead = 0.1

[format]
delimiter = ";"
encoding = "windows-1252"
)";

TEST(Spec, ParsesEveryRole) {
  ElectionSpec s = parse_spec(kSpecText, "t.toml");
  EXPECT_EQ(s.title, "Test");
  ASSERT_EQ(s.id.size(), 2u);
  EXPECT_EQ(s.id[1], "station");
  ASSERT_EQ(s.choices.size(), 2u);
  EXPECT_EQ(s.choices[1].name, "Bee");
  EXPECT_EQ(s.choices[1].column, "B votes");
  EXPECT_EQ(*s.registered, "reg");
  EXPECT_EQ(*s.valid, "valid");
  EXPECT_FALSE(s.ballots.has_value());
  EXPECT_EQ(s.timezone, "-04:00");
  ASSERT_EQ(s.extras.size(), 3u);
  ASSERT_EQ(s.relations.size(), 1u);
  EXPECT_EQ(s.relations[0].terms.size(), 3u);
  EXPECT_EQ(s.rule.kind, ContestRule::Kind::kThreshold);
  EXPECT_DOUBLE_EQ(s.rule.min_lead, 0.1);
  EXPECT_EQ(s.delimiter, ';');
  EXPECT_EQ(s.encoding, "windows-1252");
}

TEST(Spec, WriteThenParseIsTheSameSpec) {
  ElectionSpec s = parse_spec(kSpecText, "t.toml");
  s.notes = {"a note"};
  ElectionSpec t = parse_spec(write_spec(s), "written");
  EXPECT_EQ(t.id, s.id);
  EXPECT_EQ(t.geography, s.geography);
  EXPECT_EQ(t.choices.size(), s.choices.size());
  EXPECT_EQ(t.choices[1].name, "Bee");
  EXPECT_EQ(t.extras.size(), 3u);
  EXPECT_EQ(t.relations[0].equation, "received = issued + left");
  EXPECT_EQ(t.rule.kind, s.rule.kind);
  EXPECT_EQ(t.delimiter, ';');
  EXPECT_EQ(t.timezone, "-04:00");
  EXPECT_EQ(write_spec(t), write_spec(parse_spec(write_spec(t), "again")));
}

// A rule fraction of -0.0 is 0: written as "-0" it would read back as the integer 0 and the
// written spec would change on a second round (fuzz/regressions/spec/crash-spec-crash-068c4678...).
TEST(Spec, NegativeZeroFractionRoundTrips) {
  ElectionSpec s = parse_spec("choices = [\"A\"]\n[columns]\nid = \"id\"\n[rule]\nkind = \"threshold\"\n"
                              "majority = -0.0\nmin_share = 0.4\nmin_lead = 0.1\n", "t");
  EXPECT_FALSE(std::signbit(s.rule.majority));
  const std::string once = write_spec(s);
  EXPECT_EQ(once, write_spec(parse_spec(once, "w")));
}

TEST(Spec, TabDelimiterRoundTrips) {
  ElectionSpec s = parse_spec("choices = [\"A\"]\n[columns]\nid = \"id\"\n[format]\ndelimiter = \"\\t\"\n", "t");
  EXPECT_EQ(s.delimiter, '\t');
  EXPECT_EQ(parse_spec(write_spec(s), "w").delimiter, '\t');
}

void expect_spec_error(const std::string& text, const std::string& needle) {
  try {
    parse_spec(text, "bad.toml");
    FAIL() << "no error for: " << text;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.toml"), std::string::npos) << e.what();
  }
}

TEST(Spec, ClearErrors) {
  expect_spec_error("choices = [\"A\"\n", "not valid TOML");
  expect_spec_error("choices = [\"A\"]\n", "[columns]");
  expect_spec_error("choices = [\"A\"]\n[columns]\ngeography = []\n", "'id'");
  expect_spec_error("[columns]\nid = \"x\"\n", "'choices' is required");
  expect_spec_error("choices = [\"A\"]\n[columns]\nid = \"x\"\nregistred = \"r\"\n", "unknown key 'registred'");
  expect_spec_error("choices = [\"A\"]\n[columns]\nid = \"x\"\n[[relations]]\nequation = \"a = b\"\n", "neither an extra");
  expect_spec_error("choices = [\"A\"]\n[columns]\nid = \"x\"\n[rule]\nkind = \"ranked\"\n", "plurality, majority or threshold");
  expect_spec_error("choices = [\"A\"]\n[columns]\nid = \"x\"\n[rule]\nmin_lead = 10\n", "fraction");
  expect_spec_error("choices = [\"A\"]\n[columns]\nid = 3\n", "'id' must be a string");
  // The error names the line of the problem.
  expect_spec_error("choices = [\"A\"]\n[columns]\nid = \"x\"\nfoo = 1\n", "bad.toml:4");
}

TEST(Spec, PostalDistrictsRoundTripAndNeedColumnAndValues) {
  const ElectionSpec s = parse_spec("choices = [\"A\"]\n[columns]\nid = \"x\"\n[postal]\ncolumn = \"Wahllokal\"\n"
                                    "values = [\"B\", \"W\"]\n", "p.toml");
  ASSERT_TRUE(s.postal);
  EXPECT_EQ(s.postal->column, "Wahllokal");
  EXPECT_EQ(s.postal->values, (std::vector<std::string>{"B", "W"}));
  const ElectionSpec t = parse_spec(write_spec(s), "written");
  ASSERT_TRUE(t.postal);
  EXPECT_EQ(t.postal->values, s.postal->values);
  expect_spec_error("choices = [\"A\"]\n[columns]\nid = \"x\"\n[postal]\ncolumn = \"W\"\n", "needs 'column' and 'values'");
  expect_spec_error("choices = [\"A\"]\n[columns]\nid = \"x\"\n[postal]\ncolumn = \"W\"\nvalue = \"B\"\n",
                    "unknown key 'value' in [postal]");
}

TEST(Layout, NormaliseName) {
  EXPECT_EQ(normalise_name("  Número  Mesa "), "numero mesa");
  EXPECT_EQ(normalise_name("ESC. JOSÉ A.ZAMPA"), "esc jose a zampa");
  EXPECT_EQ(normalise_name("Potosí"), normalise_name("POTOSI"));
}

TEST(Layout, RecognisesBolivia2019Header) {
  std::vector<std::string> h = {"Número Mesa", "País", "Departamento", "Provincia", "Municipio", "Localidad",
                                "Recinto", "Inscritos", "CC", "FPV", "MAS - IPSP", "Blancos", "Nulos"};
  auto s = known_layout(h);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->layout, "bolivia-oep-2019");
  EXPECT_EQ(s->choices.size(), 3u);
  EXPECT_EQ(s->geography.size(), 6u);
  EXPECT_EQ(s->rule.kind, ContestRule::Kind::kThreshold);
  EXPECT_FALSE(s->latitude.has_value());
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

std::string spec_error_of(const std::string& text) {
  try {
    parse_spec(text, "deep.toml");
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, "deep.toml");
    return std::to_string(e.where().line) + ": " + e.message();
  }
  return "accepted";
}

// Issue 15 item 12: a deeply dotted key or table header (80 KB; 64 KB under ASan) overflowed the
// stack inside toml++. Refused before it, with the spec's line.
TEST(SpecLimits, DeepKeysAndHugeSpecsAreRefusedBeforeToml) {
  std::string deep = "a";
  for (int i = 0; i < 40000; ++i) deep += ".a";
  const std::string head = "title = \"x\"  # a.b.c.d\n";
  for (const std::string& text : {head + deep + " = 1\n", head + "[" + deep + "]\n", head + "[[" + deep + "]]\n",
                                  head + "x = { " + deep + " = 1 }\n", head + "\"a\"." + deep + " = 1\n"}) {
    const std::string err = spec_error_of(text);
    EXPECT_EQ(err.rfind("2: ", 0), 0u) << err;
    EXPECT_NE(err.find("more than 64 dotted components"), std::string::npos) << err;
  }
  EXPECT_NE(spec_error_of(head + "x = " + std::string(30000, '[') + std::string(30000, ']') + "\n").find("nested"),
            std::string::npos);
  // 64 components reach toml++ (and then the spec's own check of its keys).
  std::string ok = "a";
  for (int i = 1; i < 64; ++i) ok += ".a";
  EXPECT_NE(spec_error_of(ok + " = 1\n").find("unknown key 'a'"), std::string::npos) << spec_error_of(ok + " = 1\n");
  // Dots inside strings, comments and numbers are not key components.
  std::string dotted_value = std::string(kSpecText) + "# " + deep + "\n";
  EXPECT_NO_THROW(parse_spec(dotted_value, "ok.toml"));
  std::string long_title = kSpecText;
  long_title.replace(long_title.find("\"Test\""), 6, "'''\n" + deep + "'''");
  EXPECT_EQ(parse_spec(long_title, "ok.toml").title, deep);
  // Over 1 MB.
  const std::string big = std::string(kSpecText) + "# " + std::string(1 << 20, 'x') + "\n";
  EXPECT_NE(spec_error_of(big).find("1 MB"), std::string::npos);
  EXPECT_EQ(spec_error_of(big).rfind("0: ", 0), 0u);
}

}  // namespace
}  // namespace tallyscope
