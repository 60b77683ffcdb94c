#include "report/report.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "model/load.h"
#include "report/assets.h"
#include "report/sections.h"
#include "testing/testing.h"

namespace tallyscope::report {
namespace {

// Plain searches, not std::regex: libstdc++'s regex recurses per character and overflows the stack
// on pages of megabytes.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  size_t a = text.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  size_t b = text.find(close, a);
  return b == std::string::npos ? "" : text.substr(a, b - a);
}

// No attribute loads anything from elsewhere: every src= / href= of the markup (script bodies
// left out: they are code) is a same-page anchor or data.
bool has_network_source(const std::string& html) {
  std::string lower;
  for (size_t at = 0; at < html.size();) {
    size_t open = html.find("<script", at);
    size_t body = open == std::string::npos ? std::string::npos : html.find('>', open);
    size_t close = body == std::string::npos ? std::string::npos : html.find("</script", body);
    if (close == std::string::npos) {
      lower += html.substr(at);
      break;
    }
    lower += html.substr(at, body + 1 - at);
    at = close;
    lower += "</script";
    at += 8;
  }
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* attr : {"src=", "href="})
    for (size_t at = 0; (at = lower.find(attr, at)) != std::string::npos; ++at) {
      size_t v = at + std::string(attr).size();
      while (v < lower.size() && (lower[v] == '"' || lower[v] == '\'' || lower[v] == ' ')) ++v;
      if (lower.compare(v, 1, "#") != 0 && lower.compare(v, 5, "data:") != 0) return true;
    }
  return lower.find("<link") != std::string::npos;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(ReportHtml, EscapesText) {
  EXPECT_EQ(esc("<b>Tom & \"Jerry's\"</b>"), "&lt;b&gt;Tom &amp; &quot;Jerry&#39;s&quot;&lt;/b&gt;");
}

TEST(ReportHtml, BidiControlsShownAsCodes) {
  // "Frente\u202E leads by 33.21" would render as "12.33" in a browser (issue 15 item 2).
  EXPECT_EQ(esc("Frente\u202E leads by 33.21"), "Frente&lt;U+202E&gt; leads by 33.21");
  EXPECT_EQ(esc("a\u2066b\u2069\u200F\u061C"), "a&lt;U+2066&gt;b&lt;U+2069&gt;&lt;U+200F&gt;&lt;U+061C&gt;");
  EXPECT_EQ(esc("Peña 東京 \xf1"), "Peña 東京 \xf1");  // other text, and bytes that are not UTF-8, unchanged
}

TEST(ReportHtml, JsonInsideScriptCannotCloseIt) {
  nlohmann::ordered_json j = {{"name", "</script><script>alert(1)</script><!-- & \xE2\x80\xA8"}};
  std::string s = json_for_script(j);
  EXPECT_EQ(s.find('<'), std::string::npos);
  EXPECT_EQ(s.find('>'), std::string::npos);
  EXPECT_EQ(s.find('&'), std::string::npos);
  EXPECT_EQ(s.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_EQ(nlohmann::ordered_json::parse(s), j);  // the same data once parsed
}

TEST(ReportHtml, SortableTableEscapesCells) {
  std::string t = table({"Place", "Votes"}, {{"<i>x</i>", "1,234"}}, {false, true});
  EXPECT_NE(t.find("&lt;i&gt;x&lt;/i&gt;"), std::string::npos);
  EXPECT_NE(t.find("data-type=\"num\""), std::string::npos);
  EXPECT_EQ(t.find("<i>"), std::string::npos);
}

// The generated source holds the vendored files byte for byte (less the source-map comment).
TEST(ReportAssets, EmbeddedLibrariesMatchTheVendoredFiles) {
  const std::string dir = ::tallyscope::testing::source_dir() + "/third_party/vega/";
  struct {
    const char* const* chunks;
    const char* file;
  } assets[] = {{kAsset_vega, "vega.min.js"}, {kAsset_vega_lite, "vega-lite.min.js"}, {kAsset_vega_embed, "vega-embed.min.js"}};
  for (const auto& a : assets) {
    std::string file = slurp(dir + a.file);
    ASSERT_GT(file.size(), 10000u) << a.file;
    if (size_t map = file.rfind("\n//# sourceMappingURL="); map != std::string::npos) file.resize(map + 1);
    std::string joined = join_asset(a.chunks);
    EXPECT_EQ(joined.size(), file.size()) << a.file;
    EXPECT_TRUE(joined == file) << a.file;
    EXPECT_EQ(joined.find("sourceMappingURL"), std::string::npos) << a.file;
  }
}

// A count whose place names try to inject markup, with no arrival data.
ReportInput hostile_input(Election& e) {
  ReportInput in;
  in.title = "Test <election> & co";
  in.count_source = e.source();
  in.summary = summarize(e);
  in.integrity = check_integrity(e);
  in.progression.reason = "no arrival data was given";
  in.projection.reason = "no partial count was given";
  in.backtest.reason = "no arrival data was given";
  in.forensics.reason = "--forensics-replicates 0 was given.";
  in.map.value = place_map(e);
  in.provenance.tool_version = "test";
  in.provenance.command_line = "tallyscope report x.csv -o '<x>.html'";
  in.provenance.started_utc = "2026-01-01T00:00:00Z";
  in.provenance.inputs.push_back({"count", "<evil>.csv", "abc", 3});
  return in;
}

Election hostile_election() {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"town\", \"place\"]\n"
                      "latitude = \"lat\"\nlongitude = \"lon\"\nregistered = \"reg\"\n",
                      "s");
  return load_election(testing::temp_file("id,town,place,lat,lon,reg,A,B\n"
                                          "1,T,\"</script><b>bold</b>\",-16,-68,100,60,30\n"
                                          "2,T,Plain,-16.5,-68.5,100,40,50\n"),
                       o);
}

TEST(Report, EscapedSelfContainedAndSaysWhatIsMissing) {
  Election e = hostile_election();
  ReportInput in = hostile_input(e);
  std::string html = render_report(in);
  // No user string reaches the page as markup.
  EXPECT_EQ(html.find("<b>bold</b>"), std::string::npos);
  EXPECT_EQ(html.find("<evil>"), std::string::npos);
  EXPECT_NE(html.find("&lt;evil&gt;.csv"), std::string::npos);
  EXPECT_NE(html.find("Test &lt;election&gt; &amp; co"), std::string::npos);
  // Nothing to fetch: no external script, stylesheet, image or frame; a policy that forbids it.
  EXPECT_FALSE(has_network_source(html));
  EXPECT_TRUE(has_network_source("<script src=\"https://cdn.example/vega.js\"></script>"));  // the check can fail
  EXPECT_TRUE(has_network_source("<img src='//cdn.example/x.png'>"));
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  // Inline scripts by their hashes only (one for each of the five that run), nothing else.
  const std::string policy = between(html, "Content-Security-Policy\" content=\"", "\"");
  EXPECT_EQ(policy.find("unsafe-inline' 'unsafe-eval'; style"), std::string::npos) << policy;
  EXPECT_EQ(between(policy, "script-src", ";").find("'unsafe-inline'"), std::string::npos) << policy;
  size_t hashes = 0;
  for (size_t at = 0; (at = policy.find("'sha256-", at)) != std::string::npos; ++at) ++hashes;
  EXPECT_EQ(hashes, 5u) << policy;
  for (const char* d : {"base-uri 'none'", "form-action 'none'", "object-src 'none'"})
    EXPECT_NE(policy.find(d), std::string::npos) << d;
  // Every <script> closes where it should: as many closing tags as opening ones.
  size_t open = 0, close = 0;
  for (size_t at = 0; (at = html.find("<script", at)) != std::string::npos; ++at) ++open;
  for (size_t at = 0; (at = html.find("</script", at)) != std::string::npos; ++at) ++close;
  // console capture, chart data, map borders, the first-level borders of the one country the
  // places lie in, vega, vega-lite, vega-embed, render
  EXPECT_EQ(open, 8u);
  EXPECT_EQ(close, open);
  // The chart data parse, and every chart has its element.
  std::string data = between(html, "<script type=\"application/json\" id=\"tallyscope-charts\">", "</script>");
  ASSERT_FALSE(data.empty());
  auto specs = nlohmann::ordered_json::parse(data);
  EXPECT_TRUE(specs.contains("chart-shares"));
  EXPECT_TRUE(specs.contains("chart-map-margin"));
  EXPECT_FALSE(specs.contains("chart-map-arrival"));  // no arrival data
  for (const auto& [id, spec] : specs.items()) EXPECT_NE(html.find("id=\"" + id + "\""), std::string::npos) << id;
  EXPECT_EQ(specs["chart-map-margin"]["layer"].back()["data"]["values"][0]["name"], "T / </script><b>bold</b>");
  // The borders under the map: the page's dataset, parsed as TopoJSON.
  EXPECT_EQ(specs["chart-map-margin"]["layer"][0]["data"]["name"], "borders");
  auto borders = nlohmann::json::parse(between(html, "<script type=\"application/json\" id=\"tallyscope-borders\">", "</script>"));
  EXPECT_EQ(borders["type"], "Topology");
  EXPECT_GT(borders["objects"]["countries"]["geometries"].size(), 200u);
  // And the first-level borders: each dataset a map layer names is in the page once, as TopoJSON
  // whose object is the layer's feature.
  size_t admin1 = 0;
  for (const auto& layer : specs["chart-map-margin"]["layer"]) {
    const std::string name = layer["data"].value("name", "");
    if (name.rfind("admin1_", 0) != 0) continue;
    ++admin1;
    const std::string block = "<script type=\"application/json\" id=\"tallyscope-geo-" + name + "\">";
    ASSERT_NE(html.find(block), std::string::npos) << name;
    EXPECT_EQ(html.find(block, html.find(block) + 1), std::string::npos) << name << " twice";
    auto topo = nlohmann::json::parse(between(html, block, "</script>"));
    EXPECT_TRUE(topo["objects"].contains(layer["data"]["format"]["feature"].get<std::string>()));
    EXPECT_TRUE(specs["chart-map-margin"]["datasets"].contains(name));
  }
  EXPECT_EQ(admin1, 1u);
  // Analyses not run are named with their reason.
  EXPECT_NE(html.find("Not computed: no arrival data was given"), std::string::npos);
  EXPECT_NE(html.find("id=\"forensics\" class=\"status-unavailable\""), std::string::npos);
  // The JSON bundle says the same.
  auto j = report_json(in);
  EXPECT_EQ(j["progression"]["available"], false);
  EXPECT_EQ(j["progression"]["reason"], "no arrival data was given");
  EXPECT_EQ(j["forensics"]["available"], false);
  EXPECT_EQ(j["summary"]["valid"], 180);
  EXPECT_EQ(j["map"]["places"].size(), 2u);
  EXPECT_EQ(j["provenance"]["inputs"][0]["sha256"], "abc");
}

TEST(Report, SummaryProseFollowsTheNumbers) {
  Election e = hostile_election();
  Section s = section_summary(summarize(e), e.source());
  ASSERT_FALSE(s.key_findings.empty());
  // A 100 votes, B 80: A leads by 100 * 20 / 180 = 11.11 points.
  EXPECT_NE(s.key_findings[0].find("A leads B by 11.11 points"), std::string::npos) << s.key_findings[0];
}

}  // namespace
}  // namespace tallyscope::report

namespace tallyscope::report {
namespace {

// The forensic section follows the battery: with fabricated whole percentages the integer-percentage
// test is flagged, the prose says so with its caveat, and both chart kinds are there; on a clean
// simulation nothing is flagged and the prose says what that does not prove.
// A flagged digit test is said in words (what was looked for, which way the count departs), its
// numbers left to the table: not "Last-digit mean for CC: 4.408 against 4.5 expected".
TEST(Report, ForensicFlagsAreSaidInWords) {
  Maybe<ForensicsResult> m;
  m.value = ForensicsResult{};
  ForensicsResult& r = *m.value;
  r.choices = {"MAS", "CC"};
  r.replicates = 1000;
  ForensicTest t;
  t.id = "last_digit_mean";
  t.target = "CC";
  t.level = "all";
  t.run = t.flag = true;
  t.statistic = 4.408;
  t.null_mean = 4.5;
  t.null_sd = 0.02;
  t.p_value = 1e-5;
  t.q_value = 1e-4;
  t.replicates = 1000;
  r.tests.push_back(t);
  t.id = "pairs_repeated";
  t.statistic = 0.1223;
  t.null_mean = 0.1122;
  r.tests.push_back(t);
  Section s = section_forensics(m);
  ASSERT_FALSE(s.key_findings.empty());
  const std::string& k = s.key_findings[0];
  EXPECT_NE(k.find("the last digits of CC's vote counts are lower on average than honest counts of the same sizes give"),
            std::string::npos)
      << k;
  EXPECT_NE(k.find("CC's vote counts end in a repeated pair of digits (11, 22, ...) more often"), std::string::npos) << k;
  EXPECT_EQ(k.find("4.408"), std::string::npos) << k;
  EXPECT_EQ(k.find("against 4.5"), std::string::npos) << k;
  EXPECT_NE(s.html.find("4.408"), std::string::npos) << "the numbers are in the table";
}

TEST(Report, ForensicSectionFollowsTheBattery) {
  SimulationOptions so;
  so.units = 3000;
  so.seed = 5;
  so.round_share = 0.1;
  ForensicsOptions fo;
  fo.replicates = 200;
  fo.by = "region";
  Maybe<ForensicsResult> rounded;
  rounded.value = run_forensics(simulate(so), fo);
  Section s = section_forensics(rounded);
  EXPECT_EQ(s.status, "ok");
  bool int_flag = false;
  for (const auto& t : rounded.value->tests) int_flag |= t.id == "integer_percent" && t.flag;
  ASSERT_TRUE(int_flag);
  ASSERT_FALSE(s.key_findings.empty());
  EXPECT_NE(s.key_findings[0].find("tests flagged"), std::string::npos) << s.key_findings[0];
  EXPECT_NE(s.key_findings[0].find("does not say how the pattern arose"), std::string::npos);
  EXPECT_NE(s.html.find("falls on a whole percentage in"), std::string::npos);
  EXPECT_NE(s.html.find("Flagged tests by region"), std::string::npos);
  EXPECT_NE(s.html.find("Klimek et al.&#39;s fraud model"), std::string::npos) << "the model fits are shown";
  size_t histograms = 0, fingerprints = 0;
  for (const auto& c : s.charts) {
    histograms += c.id.rfind("chart-integer-percent-", 0) == 0;
    fingerprints += c.id.rfind("chart-fingerprint-", 0) == 0;
    EXPECT_FALSE(c.spec["data"]["values"].empty()) << c.id;
  }
  EXPECT_EQ(histograms, rounded.value->percent_histograms.size());
  EXPECT_EQ(fingerprints, rounded.value->fingerprints.size());  // one per tested choice
  EXPECT_EQ(fingerprints, 2u);

  so.round_share = 0;
  fo.by.clear();
  Maybe<ForensicsResult> clean;
  clean.value = run_forensics(simulate(so), fo);
  Section c = section_forensics(clean);
  if (clean.value->flagged() == 0) {
    EXPECT_NE(c.key_findings[0].find("none of"), std::string::npos) << c.key_findings[0];
    EXPECT_NE(c.key_findings[0].find("does not prove it clean"), std::string::npos);
  }
  Maybe<ForensicsResult> missing;
  missing.reason = "no reason at all";
  EXPECT_EQ(section_forensics(missing).status, "unavailable");
}

}  // namespace
}  // namespace tallyscope::report
