// End-to-end: the built tallyscope writes reports, and headless Chromium renders them offline with
// every chart drawn and no console error. Skips (with a message) without /usr/bin/chromium, and the
// Bolivia test without the shared data.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace tallyscope {
namespace {

namespace fs = std::filesystem;
constexpr const char* kChromium = "/usr/bin/chromium";

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

std::string build_dir() { return fs::path(::tallyscope::testing::binary_path()).parent_path().string(); }

using ::tallyscope::testing::fresh_dir;

// Runs Chromium, headless, with a fresh profile (removed afterwards) and no way to reach a
// network: every host name resolves to nothing and every connection goes to a closed proxy port.
int run_chromium(const std::string& args) {
  std::string profile = fresh_dir("tallyscope-chromium");
  std::string cmd = fmt::format(
      "{} --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
      "--no-first-run --disable-dev-shm-usage --user-data-dir={} --proxy-server=socks5://127.0.0.1:9 "
      "--host-resolver-rules='MAP * ~NOTFOUND' {} 2>/dev/null",
      kChromium, profile, args);
  int status = std::system(cmd.c_str());
  std::error_code ec;
  fs::remove_all(profile, ec);
  return status;
}

struct Rendered {
  std::string dom;
  std::map<std::string, std::string> body;  // the attributes of <body>
};

Rendered render(const std::string& html_path) {
  Rendered r;
  std::string dom_path = html_path + ".dom.html";
  EXPECT_EQ(run_chromium(fmt::format("--virtual-time-budget=60000 --dump-dom file://{} > {}", html_path, dom_path)), 0);
  r.dom = slurp(dom_path);
  {
    std::string attrs = between(r.dom, "<body", ">");
    std::regex attr("([a-z-]+)=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(attrs.begin(), attrs.end(), attr); it != std::sregex_iterator(); ++it)
      r.body[(*it)[1].str()] = (*it)[2].str();
  }
  return r;
}

void expect_all_charts_rendered(const Rendered& r, size_t expected_charts) {
  ASSERT_EQ(r.body.count("data-charts-done"), 1u) << "no <body> attributes in the dumped DOM";
  EXPECT_EQ(r.body.at("data-charts-done"), "1") << "the charts did not finish rendering";
  EXPECT_EQ(r.body.at("data-charts-total"), std::to_string(expected_charts));
  EXPECT_EQ(r.body.at("data-charts-ok"), std::to_string(expected_charts));
  EXPECT_EQ(r.body.at("data-charts-failed"), "");
  std::string console = between(r.dom, "<pre id=\"tallyscope-console\" hidden=\"\">", "</pre>");
  EXPECT_EQ(r.body.at("data-console-errors"), "0") << console;
  EXPECT_EQ(r.body.at("data-console-warnings"), "0") << console;
  // Each chart element holds a drawn SVG.
  size_t svgs = 0;
  for (size_t at = 0; (at = r.dom.find("data-chart=\"ok\"", at)) != std::string::npos; ++at) ++svgs;
  EXPECT_EQ(svgs, expected_charts);
}

size_t chart_count(const std::string& html) {
  std::string data = between(html, "<script type=\"application/json\" id=\"tallyscope-charts\">", "</script>");
  return data.empty() ? 0 : nlohmann::json::parse(data).size();
}

void no_network_sources(const std::string& html) {
  EXPECT_FALSE(has_network_source(html));
}

// The embedded example: no arrival data, so the report says which analyses it could not run.
TEST(ReportCli, ExampleReportAndItsJson) {
  const std::string src = ::tallyscope::testing::source_dir();
  std::string dir = fresh_dir("tallyscope-report");
  std::string html = dir + "/example.html", json = dir + "/example.json";
  auto r = testing::run_cli(fmt::format("report {0}/examples/example-election.csv --spec {0}/examples/example-election.toml "
                                        "-o {1} --json-out {2}",
                                        src, html, json));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("[1/"), std::string::npos) << "progress on stderr";
  EXPECT_NE(r.err.find("progression not computed"), std::string::npos) << r.err;
  std::string page = slurp(html);
  no_network_sources(page);
  EXPECT_NE(page.find("Not computed: the progression needs the order in which sheets arrived"), std::string::npos);
  EXPECT_NE(page.find("example-election.csv"), std::string::npos);
  auto j = nlohmann::json::parse(slurp(json));
  for (const char* k : {"provenance", "summary", "integrity", "progression", "projection", "backtest", "map", "forensics"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["provenance"]["inputs"][0]["role"], "count");
  EXPECT_EQ(j["provenance"]["inputs"][0]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["provenance"]["options"]["projection"]["seed"], 20191020);
  EXPECT_EQ(j["progression"]["available"], false);
  EXPECT_GT(j["integrity"]["errors"].get<int>(), 0);  // the example's planted errors
  EXPECT_EQ(j["map"]["places"].size(), j["map"]["places"].size());
  EXPECT_GT(j["map"]["places"].size(), 10u);
}

TEST(ReportCli, BadInputStopsBeforeAnyWork) {
  const std::string src = ::tallyscope::testing::source_dir();
  std::string dir = fresh_dir("tallyscope-report");
  auto r = testing::run_cli(fmt::format("report {0}/examples/example-election.csv --arrival {1}/absent.csv -o {1}/x.html", src, dir));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("absent.csv"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("[1/"), std::string::npos) << "no step started";
  EXPECT_FALSE(fs::exists(dir + "/x.html"));
  r = testing::run_cli(fmt::format("report {0}/examples/example-election.csv -o {1}/no/such/dir/x.html", src, dir));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  // An arrival file that is not one: an error naming it, and no report.
  std::string junk = testing::temp_file("hello\nworld\n");
  r = testing::run_cli(fmt::format("report {0}/examples/example-election.csv --spec {0}/examples/example-election.toml "
                                   "--arrival {2} -o {1}/y.html",
                                   src, dir, junk));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(junk), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/y.html"));
}

// The demo's report (scripts/demo.sh passes the same files): the example with its arrival times,
// the count published at the cutoff and the previous election has every section of the report,
// each computed, and every chart draws offline.
TEST(ReportBrowser, DemoReportHasEverySection) {
  if (!fs::exists(kChromium)) GTEST_SKIP() << kChromium << " not found (Debian package chromium; scripts/setup.sh installs it)";
  const std::string src = ::tallyscope::testing::source_dir();
  std::string html = build_dir() + "/report-demo.html", json = build_dir() + "/report-demo.json";
  auto r = testing::run_cli(fmt::format(
      "report {0}/examples/example-election.csv --spec {0}/examples/example-election.toml "
      "--arrival {0}/examples/example-arrival.csv --cutoff 2024-05-05T19:30:00-04:00 "
      "--partial {0}/examples/example-partial.csv --compare-with {0}/examples/example-partial.csv "
      "--baseline {0}/examples/example-previous.csv --baseline-spec {0}/examples/example-previous.toml -o {1} --json-out {2}",
      src, html, json));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("not computed"), std::string::npos) << r.err;
  std::string page = slurp(html);
  EXPECT_EQ(page.find("Not computed"), std::string::npos) << "a section was left out";
  for (const char* id :
       {"summary", "integrity", "comparison", "regions", "progression", "projection", "map", "forensics", "provenance"})
    EXPECT_NE(page.find(fmt::format("<section id=\"{}\" class=\"status-ok\"", id)), std::string::npos) << id;
  EXPECT_EQ(page.find("data-status=\"unavailable\""), std::string::npos);
  EXPECT_NE(page.find("Backtest"), std::string::npos);
  auto j = nlohmann::json::parse(slurp(json));
  EXPECT_NE(j["progression"].value("available", true), false);
  EXPECT_TRUE(j["progression"].contains("baseline")) << "the previous election is used";
  EXPECT_TRUE(j["projection"].contains("margin"));
  EXPECT_TRUE(j["backtest"].contains("points"));
  EXPECT_EQ(j["projection"]["counted_units"], 231);
  EXPECT_GT(j["map"]["places"].size(), 10u);
  size_t charts = chart_count(page);
  // shares, integrity, trajectory, per-sheet margin, composition, projection, backtest, the map by
  // margin and by arrival, the regions' map, the whole-percentage histograms (turnout, two choices),
  // the fingerprints of the two tested choices
  EXPECT_EQ(charts, 15u);
  const Rendered rendered = render(html);
  expect_all_charts_rendered(rendered, charts);
  // The maps draw the country borders under the places: geoshapes inside the map's SVG, from the
  // borders carried in the page.
  EXPECT_NE(page.find("<script type=\"application/json\" id=\"tallyscope-borders\">"), std::string::npos);
  const size_t map_at = rendered.dom.find("id=\"chart-map-margin\"");
  ASSERT_NE(map_at, std::string::npos);
  const std::string map_svg = between(rendered.dom.substr(map_at), "<svg", "</svg>");
  EXPECT_NE(map_svg.find("mark-shape"), std::string::npos) << "no border drawn under the map";
  EXPECT_NE(map_svg.find("mark-symbol"), std::string::npos) << "no polling place drawn on the map";
  // The regions on a map of their own, over the same borders.
  const size_t regions_at = rendered.dom.find("id=\"chart-map-regions\"");
  ASSERT_NE(regions_at, std::string::npos);
  const std::string regions_svg = between(rendered.dom.substr(regions_at), "<svg", "</svg>");
  EXPECT_NE(regions_svg.find("mark-shape"), std::string::npos) << "no border under the regions' map";
  EXPECT_NE(regions_svg.find("mark-symbol"), std::string::npos) << "no region drawn on the map";
}

// The number of shape layers (geoshape marks: the country borders and each country's first-level
// borders) drawn in a chart's SVG.
size_t shape_layers(const std::string& svg) {
  size_t n = 0;
  for (size_t at = 0; (at = svg.find("mark-shape", at)) != std::string::npos; ++at) ++n;
  return n;
}

TEST(ReportBrowser, Bolivia2019RendersOffline) {
  if (!fs::exists(kChromium)) GTEST_SKIP() << kChromium << " not found (Debian package chromium; scripts/setup.sh installs it)";
  TALLYSCOPE_REQUIRE_SHARED(final_count, "bolivia-2019/computo-final.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(trep, "bolivia-2019/trep-2019-10-20T19-40-57.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(times, "bolivia-2019/trep-verification-times.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(baseline, "bolivia-2016/referendum-2016-02-21.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(trep21, "bolivia-2019/trep-2019-10-21T18-29-53.csv.gz");
  std::string html = build_dir() + "/report-bolivia-2019.html", json = build_dir() + "/report-bolivia-2019.json";
  // The cutoff is the TREP's halt; fewer placebos and draws than the defaults keep the test short.
  auto r = testing::run_cli(fmt::format("report {} --early {} --arrival {} --baseline {} --cutoff 2019-10-20T19:40:57-04:00 "
                                        "--compare-with {} --placebos 40 --draws 500 --backtest-draws 100 -o {} --json-out {}",
                                        final_count, trep, times, baseline, trep21, html, json));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string page = slurp(html);
  no_network_sources(page);
  // Every analysis ran: the facts of the shared data's README, through the report.
  auto j = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(j["summary"]["valid"], 6137671);
  EXPECT_NEAR(j["summary"]["margin"]["points"].get<double>(), 10.56, 0.005);
  EXPECT_TRUE(j["progression"].contains("rd"));
  EXPECT_EQ(j["projection"]["basis"], "the early snapshot " + trep);
  EXPECT_GT(j["backtest"]["points"].size(), 3u);
  EXPECT_GT(j["map"]["places"].size(), 4000u);
  EXPECT_GT(j["forensics"]["tests_run"].get<int>(), 10);
  // As `forensics` finds on Bolivia 2019 (forensics_test.cc): nothing flagged. The dip, slope and
  // correlation, which see town and country, are descriptive (issue 13) and the page says why.
  EXPECT_EQ(j["forensics"]["flagged"], 0);
  for (const auto& t : j["forensics"]["tests"]) {
    if (t["id"] == "dip" || t["id"] == "turnout_share_slope") {
      EXPECT_EQ(t["role"], "descriptive");
    }
  }
  EXPECT_NE(page.find("Shown without a test, out of the false-discovery family"), std::string::npos);
  EXPECT_EQ(page.find("All the whole-count flags are shape tests"), std::string::npos);
  EXPECT_TRUE(j["forensics"]["klimek"]["run"].get<bool>());
  // The clean model fails its fit check on Bolivia 2019: no estimate, and no "stuffing in N% of units".
  EXPECT_FALSE(j["forensics"]["klimek"]["fits"].get<bool>());
  EXPECT_TRUE(j["forensics"]["klimek"]["fi"].is_null());
  EXPECT_FALSE(j["forensics"]["shpilkin"]["fits"].get<bool>());
  EXPECT_EQ(page.find("incremental stuffing in"), std::string::npos);
  EXPECT_NE(page.find("assumptions fail here, so it gives no estimate"), std::string::npos);
  EXPECT_NE(page.find("Nothing departs from what clean sheets of the same place give"), std::string::npos);
  EXPECT_NE(page.find("not as a number of falsified votes"), std::string::npos);
  for (const char* id : {"chart-trajectory", "chart-smoother", "chart-composition", "chart-projection", "chart-backtest",
                         "chart-map-margin", "chart-map-arrival", "chart-integer-percent-0", "chart-fingerprint-0"})
    EXPECT_NE(page.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  size_t charts = chart_count(page);
  Rendered rendered = render(html);
  expect_all_charts_rendered(rendered, charts);
  // The observer's sections, as drawn: the 706 sheets the TREP of 21 October and the final count
  // disagree on, with the net effect; the table by department; the borders under the map; and the
  // one-sentence verdict first in the findings.
  EXPECT_NE(rendered.dom.find("706 sheets in both counts have different numbers"), std::string::npos);
  EXPECT_NE(rendered.dom.find("Net effect of the sheets whose numbers differ"), std::string::npos);
  EXPECT_NE(rendered.dom.find("<section id=\"regions\" class=\"status-ok\""), std::string::npos);
  EXPECT_NE(rendered.dom.find("La Paz"), std::string::npos);
  const std::string map_svg = between(rendered.dom.substr(rendered.dom.find("id=\"chart-map-margin\"")), "<svg", "</svg>");
  EXPECT_NE(map_svg.find("mark-shape"), std::string::npos) << "no border under the map";
  // Country borders and the first-level borders (departments) of Bolivia and its neighbours, carried
  // in the page: at least two shape layers, Bolivia's nine departments among the page's data.
  EXPECT_GE(shape_layers(map_svg), 2u);
  const std::string bol = "<script type=\"application/json\" id=\"tallyscope-geo-admin1_bol\">";
  ASSERT_NE(page.find(bol), std::string::npos);
  auto departments = nlohmann::json::parse(between(page, bol, "</script>"));
  EXPECT_EQ(departments["objects"]["bol"]["geometries"].size(), 9u);
  // The table by region has its map, drawn.
  const size_t regions_at = rendered.dom.find("id=\"chart-map-regions\"");
  ASSERT_NE(regions_at, std::string::npos);
  const std::string regions_svg = between(rendered.dom.substr(regions_at), "<svg", "</svg>");
  EXPECT_GE(shape_layers(regions_svg), 2u);
  EXPECT_NE(regions_svg.find("mark-symbol"), std::string::npos) << "no region drawn";
  const size_t verdict = rendered.dom.find("<p class=\"headline\" id=\"headline\">The late shift toward MAS - IPSP is");
  EXPECT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, rendered.dom.find("<ul>", rendered.dom.find("id=\"findings\"")));
  // A screenshot to look at (saved beside the binary).
  std::string png = build_dir() + "/report-bolivia-2019.png";
  fs::remove(png);
  EXPECT_EQ(run_chromium(fmt::format("--virtual-time-budget=60000 --window-size=1100,9000 --screenshot={} file://{} >/dev/null",
                                     png, html)),
            0);
  EXPECT_TRUE(fs::exists(png) && fs::file_size(png) > 10000) << png;
}

// Russia 2018: no arrival data, no coordinates; the forensic battery is the story. Kobak et al.'s
// whole-percentage peaks must come through the report as flagged tests, with the prose and the
// histograms and fingerprint drawn.
TEST(ReportBrowser, Russia2018RendersOffline) {
  if (!fs::exists(kChromium)) GTEST_SKIP() << kChromium << " not found (Debian package chromium; scripts/setup.sh installs it)";
  TALLYSCOPE_REQUIRE_SHARED(russia, "russia-2018/2018.csv.gz");
  std::string html = build_dir() + "/report-russia-2018.html", json = build_dir() + "/report-russia-2018.json";
  auto r = testing::run_cli(
      fmt::format("report {} --forensics-replicates 200 -o {} --json-out {}", russia, html, json));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string page = slurp(html);
  no_network_sources(page);
  auto j = nlohmann::json::parse(slurp(json));
  bool turnout_flag = false;
  for (const auto& t : j["forensics"]["tests"])
    if (t["id"] == "integer_percent" && t["target"] == "turnout" && t["region"].is_null()) turnout_flag = t["flag"];
  EXPECT_TRUE(turnout_flag);
  EXPECT_NE(page.find("turnout falls on a whole percentage in 10,461 units, against"), std::string::npos);
  EXPECT_NE(page.find("does not say how the pattern arose"), std::string::npos);
  EXPECT_NE(page.find("Shpilkin&#39;s method"), std::string::npos);
  size_t charts = chart_count(page);
  EXPECT_EQ(charts, 7u);  // shares, integrity, three histograms, the two tested choices' fingerprints
  expect_all_charts_rendered(render(html), charts);
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// The content security policy is in force: the report's own scripts run (the charts draw), a
// script that is not one of them does not (issue 15: a future escaping slip cannot run script).
TEST(ReportBrowser, PolicyRunsOnlyTheReportsOwnScripts) {
  if (!fs::exists(kChromium)) GTEST_SKIP() << kChromium << " not found (Debian package chromium; scripts/setup.sh installs it)";
  const std::string src = ::tallyscope::testing::source_dir();
  const std::string html = build_dir() + "/report-policy.html";
  auto r = testing::run_cli(fmt::format("report {0}/examples/example-election.csv --spec {0}/examples/example-election.toml "
                                        "-o {1} --draws 20 --backtest-draws 20",
                                        src, html));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string page = slurp(html);
  const size_t body_end = page.rfind("</body>");
  ASSERT_NE(body_end, std::string::npos);
  page.insert(body_end, "<script>document.body.setAttribute('data-injected','ran');</script>\n"
                        "<img src=x onerror=\"document.body.setAttribute('data-injected','ran')\">\n");
  const std::string injected = build_dir() + "/report-policy-injected.html";
  std::ofstream(injected, std::ios::binary) << page;
  Rendered rendered = render(injected);
  ASSERT_EQ(rendered.body.count("data-charts-done"), 1u) << "the report's own scripts did not run";
  EXPECT_EQ(rendered.body.at("data-charts-done"), "1");
  EXPECT_EQ(rendered.body.at("data-charts-failed"), "");
  EXPECT_EQ(rendered.body.count("data-injected"), 0u) << "a script outside the policy ran";
  // The blocked script is reported by the page's console capture.
  EXPECT_NE(rendered.body.at("data-console-errors"), "0");
  EXPECT_NE(rendered.dom.find("blocked by the page policy"), std::string::npos);
}

}  // namespace
}  // namespace tallyscope
