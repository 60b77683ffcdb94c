// The forensic-battery section: which tests ran and what they found, in words that never go past
// the evidence, with the integer-percentage histograms against their null band and the turnout x
// share fingerprint.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "analysis/forensics/p_display.h"
#include "report/sections.h"

namespace tallyscope::report {
namespace {
using J = nlohmann::ordered_json;

// A test's name for readers; ids the report does not know are shown as they are.
std::string label(const std::string& id) {
  static const std::map<std::string, std::string> names = {
      {"integer_percent", "Whole percentages (units)"},
      {"second_digit_mean", "Second-digit mean (2BL)"},
      {"last_digit_mean", "Last-digit mean"},
      {"last_digit_uniformity", "Last-digit uniformity (chi-square)"},
      {"last_digit_0_5", "Counts ending in 0 or 5 (share)"},
      {"percent_0_5", "Percentages ending in 0 or 5 (share)"},
      {"pairs_repeated", "Last two digits equal (share)"},
      {"pairs_adjacent", "Last two digits adjacent (share)"},
      {"skewness", "Skewness of shares"},
      {"kurtosis", "Excess kurtosis of shares"},
      {"dip", "Dip test of unimodality"},
      {"turnout_share_slope", "Turnout-share slope (Sobyanin-Sukhovolsky)"},
      {"turnout_share_correlation", "Turnout-share correlation"},
      {"within_place_dispersion", "Within-place dispersion (phi)"},
      {"within_place_association", "Within-place turnout-share association"},
      {"within_place_tail_symmetry", "Within-place tail symmetry (stuffing)"},
  };
  auto it = names.find(id);
  return it == names.end() ? id : it->second;
}

std::string value(double v) {
  if (!std::isfinite(v)) return "";
  if (std::fabs(v) >= 1000) return count(std::llround(v));
  return fmt::format("{:.4g}", v);
}


std::vector<std::string> row(const ForensicTest& t) {
  return {label(t.id), t.target, t.region.empty() ? "whole count" : t.region, value(t.statistic),
          t.run || t.null_sd > 0 ? value(t.null_mean) + " (sd " + value(t.null_sd) + ")" : "",
          p_display(t.p_value, t.replicates), p_display(t.q_value, t.replicates),
          t.run ? (t.flag ? "FLAG" : "no") : (t.role == "descriptive" ? "descriptive" : "not run: " + t.why_not)};
}

// What a flagged whole-count test found, in one clause of words: what was looked for and which way
// the count departs from what honest counts of its units' sizes give. The numbers are in the table
// (issue 16: a journalist reads the sentence, an analyst the table); whole percentages keep their
// counts, which are the finding itself.
std::string flagged_clause(const ForensicTest& t) {
  const bool turnout = t.target == "turnout";
  const std::string counts = turnout ? "the numbers of ballots cast" : t.target + "'s vote counts";
  const bool more = t.statistic > t.null_mean;
  const std::string often = more ? "more often" : "less often";
  if (t.id == "integer_percent")
    return fmt::format("{} falls on a whole percentage in {} units, against {} expected of honest counts of the same "
                       "sizes (sd {})",
                       turnout ? "turnout" : "the share of " + t.target, count(std::llround(t.statistic)),
                       count(std::llround(t.null_mean)), num(t.null_sd, 1));
  if (t.id == "last_digit_mean")
    return fmt::format("the last digits of {} are {} on average than honest counts of the same sizes give", counts,
                       more ? "higher" : "lower");
  if (t.id == "last_digit_uniformity")
    return fmt::format("the last digits of {} are not spread evenly over 0 to 9, as honest counts of these sizes are",
                       counts);
  if (t.id == "last_digit_0_5")
    return fmt::format("{} end in 0 or 5 {} than honest counts would (people who write numbers down favour round "
                       "endings)",
                       counts, often);
  if (t.id == "pairs_repeated")
    return fmt::format("{} end in a repeated pair of digits (11, 22, ...) {} than honest counts would", counts, often);
  if (t.id == "pairs_adjacent")
    return fmt::format("{} end in two adjacent digits (12, 43, ...) {} than honest counts would", counts, often);
  if (t.id == "within_place_tail_symmetry")
    return fmt::format("sheets with much higher turnout than the other sheets of their {} carry a higher share for {} "
                       "more often than low-turnout sheets carry a lower one (the trace of ballot stuffing)",
                       t.level.substr(t.level.find(':') + 1), t.target);
  return fmt::format("{} for {} departs from what honest counts give ({})", label(t.id), t.target,
                     more ? "above" : "below");
}

// Tests of the shape of the distribution, which differences between kinds of places also trigger.
bool shape_test(const std::string& id) {
  return id == "dip" || id == "turnout_share_slope" || id == "turnout_share_correlation" || id == "skewness" ||
         id == "kurtosis";
}

// What the within-place family checked and whether anything departs, in words.
std::string within_place_sentence(const ForensicsResult& r) {
  if (r.within_place_note.empty())
    return r.within_place_why.empty() ? "" : "The within-place tests could not run: " + r.within_place_why + ".";
  bool flagged = false;
  for (const auto& t : r.tests) flagged |= t.flag && t.id.rfind("within_place", 0) == 0;
  const std::string where = r.within_place_places
                                ? "each sheet against the other sheets of its own " + r.within_place_level
                                : "each sheet against the other sheets of its " + r.within_place_level +
                                      " (a region: no level groups the sheets of one polling place)";
  return fmt::format(
      "Within places ({}), the battery checked the dispersion of turnout and of each choice's share, the "
      "turnout-share association and whether sheets with much higher turnout than their neighbours carry a higher "
      "share (the trace of ballot stuffing). {}",
      where, flagged ? "The stuffing test departs from what clean sheets of the same place give: see the table."
                     : "Nothing departs from what clean sheets of the same place give.");
}

Chart percent_chart(const PercentHistogram& h, size_t index) {
  Chart c;
  c.id = fmt::format("chart-integer-percent-{}", index);
  const bool turnout = h.target == "turnout";
  c.caption = fmt::format(
      "{}: polling units by {} in 0.1-point bins (blue) against the null (grey line: expected units; band: "
      "expected +- 2 sd), each unit redrawn from its own size and share. Whole-percentage peaks above the band are what "
      "the integer-percentage test counts.",
      turnout ? "Turnout" : h.target, turnout ? "turnout" : "the share of the ballots cast for " + h.target);
  J values = J::array();
  size_t lo = PercentHistogram::kBins, hi = 0;
  for (size_t b = 0; b < PercentHistogram::kBins; ++b)
    if (h.observed[b] > 0 || h.null_mean[b] > 1e-3) lo = std::min(lo, b), hi = b;
  for (size_t b = lo; b <= hi && lo <= hi; ++b) {
    const double m = h.null_mean[b], sd = h.null_sd[b];
    values.push_back({{"pct", static_cast<double>(b) / 10}, {"units", h.observed[b]}, {"expected", std::round(m * 100) / 100},
                      {"lo", std::round(std::max(0.0, m - 2 * sd) * 100) / 100}, {"hi", std::round((m + 2 * sd) * 100) / 100}});
  }
  J x = {{"field", "pct"}, {"type", "quantitative"}, {"scale", {{"zero", false}}},
         {"title", turnout ? "turnout (%)" : "share of ballots (%)"}};
  c.spec = {{"width", 620},
            {"height", 220},
            {"data", {{"values", values}}},
            {"layer", J::array({J{{"mark", {{"type", "area"}, {"color", "#bbb"}, {"opacity", 0.6}}},
                                  {"encoding", {{"x", x}, {"y", {{"field", "lo"}, {"type", "quantitative"}, {"title", "units"}}},
                                                {"y2", {{"field", "hi"}}}}}},
                                J{{"mark", {{"type", "line"}, {"color", "#777"}, {"strokeWidth", 1}}},
                                  {"encoding", {{"x", x}, {"y", {{"field", "expected"}, {"type", "quantitative"}}}}}},
                                J{{"mark", {{"type", "line"}, {"color", "#2c7fb8"}, {"strokeWidth", 1}, {"tooltip", true}}},
                                  {"encoding", {{"x", x}, {"y", {{"field", "units"}, {"type", "quantitative"}}}}}}})}};
  return c;
}

Chart fingerprint_chart(const Fingerprint& f, size_t index) {
  Chart c;
  c.id = fmt::format("chart-fingerprint-{}", index);
  c.caption = fmt::format(
      "Fingerprint of {}: polling units by turnout (across) and {}'s share of the ballots (up), coloured by the number "
      "of units on a log scale. Honest counts form one roughly round cluster; ballot stuffing smears it toward the top "
      "right corner, and wholesale fabrication builds a second cluster there.",
      f.choice, f.choice);
  J values = J::array();
  const double w = 1.0 / static_cast<double>(f.bins);
  for (size_t t = 0; t < f.bins; ++t)
    for (size_t s = 0; s < f.bins; ++s) {
      const uint32_t n = f.counts[t * f.bins + s];
      if (n == 0) continue;
      values.push_back({{"t", static_cast<double>(t) * w}, {"t2", static_cast<double>(t + 1) * w},
                        {"s", static_cast<double>(s) * w}, {"s2", static_cast<double>(s + 1) * w}, {"units", n}});
    }
  c.spec = {{"width", 420},
            {"height", 420},
            {"data", {{"values", values}}},
            {"mark", {{"type", "rect"}, {"tooltip", true}}},
            {"encoding",
             {{"x", {{"field", "t"}, {"type", "quantitative"}, {"scale", {{"domain", J::array({0, 1})}}},
                     {"axis", {{"format", ".0%"}}}, {"title", "turnout"}}},
              {"x2", {{"field", "t2"}}},
              {"y", {{"field", "s"}, {"type", "quantitative"}, {"scale", {{"domain", J::array({0, 1})}}},
                     {"axis", {{"format", ".0%"}}}, {"title", "share of " + f.choice}}},
              {"y2", {{"field", "s2"}}},
              {"color", {{"field", "units"}, {"type", "quantitative"}, {"scale", {{"type", "log"}, {"scheme", "viridis"}}},
                         {"title", "units"}}}}}};
  return c;
}

// The opening paragraph: what the battery tests, on which targets, with which null and FDR level.
std::string forensic_section_intro(const ForensicsResult& r) {
  std::string h;
  std::string choices;
  for (size_t i = 0; i < r.choices.size(); ++i)
    choices += (i == 0 ? "" : i + 1 == r.choices.size() ? " and " : ", ") + r.choices[i];
  h += para(fmt::format(
      "These tests look for traces that written-up or altered results tend to leave: too many whole percentages "
      "(Kobak, Shpilkin & Pshenichnikov 2016), last digits and digit pairs that people, not counts, produce (Beber & "
      "Scacco 2012), and the turnout x share fingerprint (Klimek et al. 2012). They were run for turnout and for {}{}. "
      "Each statistic is compared with a simulated null in which every unit's count is redrawn binomially from its own "
      "denominator at its own share ({} replicates, seed {}); the p-values of the {} tests run are adjusted together "
      "(Benjamini-Hochberg, false discovery rate {}), and a test is flagged when its adjusted q-value is at most that "
      "rate.",
      choices, r.by.empty() ? "" : fmt::format(", on the whole count and in each of {} regions by {}", r.regions, r.by),
      r.replicates, r.seed, r.tests_run(), num(r.fdr, 2)));
  return h;
}

// The flags paragraphs and key finding; returns the whole-count flags and counts the regional ones.
std::vector<const ForensicTest*> forensic_section_flags(const ForensicsResult& r, Section& sec,
                                                        size_t& region_flags) {
  std::string& h = sec.html;
  std::vector<const ForensicTest*> whole_flags;
  region_flags = 0;
  std::map<std::string, size_t> per_region;
  for (const auto& t : r.tests) {
    if (!t.flag) continue;
    if (t.region.empty()) whole_flags.push_back(&t);
    else ++region_flags, ++per_region[t.region];
  }
  const std::string caveat =
      "A flag says that a pattern is very unlikely to arise by chance in honest counts of these units' sizes and "
      "shares; it does not say how the pattern arose (officials rounding, a reporting rule, or falsification), nor "
      "how many votes it involved.";
  const std::string within = within_place_sentence(r);
  if (r.flagged() == 0) {
    h += para(fmt::format("None of the {} tests is flagged. {} The count shows none of the traces these tests look for; "
                          "that is not proof that it is clean, since falsification can leave none of them.",
                          r.tests_run(), within));
    sec.key_findings.push_back(fmt::format(
        "Forensic battery: none of {} tests flagged (false discovery rate {}). {} The count shows none of the traces "
        "these tests look for, which does not prove it clean.",
        r.tests_run(), num(r.fdr, 2), within));
  } else {
    // Whole percentages first, then the digit tests, then the shape tests, which say least.
    auto rank = [](const ForensicTest* t) { return t->id == "integer_percent" ? 0 : shape_test(t->id) ? 2 : 1; };
    std::stable_sort(whole_flags.begin(), whole_flags.end(),
                     [&](const ForensicTest* a, const ForensicTest* b) { return rank(a) < rank(b); });
    const size_t shape_flags = static_cast<size_t>(
        std::count_if(whole_flags.begin(), whole_flags.end(), [](const ForensicTest* t) { return shape_test(t->id); }));
    std::string clauses;
    for (size_t i = 0; i < whole_flags.size() && i < 4; ++i)
      clauses += (i ? "; " : "") + flagged_clause(*whole_flags[i]);
    if (whole_flags.size() > 4) clauses += fmt::format("; and {} more", whole_flags.size() - 4);
    std::string kinds;
    const std::string why = "shape tests (dip, turnout-share slope or correlation), which differences between kinds of "
                            "places trigger as much as ballot stuffing does";
    if (shape_flags > 0 && shape_flags == whole_flags.size())
      kinds = (shape_flags == 1 ? " The only whole-count flag is one of the " : " All the whole-count flags are ") + why +
              "; none of the whole-percentage or digit tests is flagged there.";
    else if (shape_flags == 1)
      kinds = " One of the whole-count flags is one of the " + why + ".";
    else if (shape_flags > 1)
      kinds = fmt::format(" {} of the whole-count flags are {}.", shape_flags, why);
    std::string regions;
    if (!per_region.empty()) {
      std::vector<std::pair<size_t, std::string>> top;
      for (const auto& [name, n] : per_region) top.push_back({n, name});
      std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      std::string names;
      for (size_t i = 0; i < top.size() && i < 5; ++i) names += (i ? ", " : "") + top[i].second;
      regions = fmt::format(" In {} of {} regions at least one test is flagged (most in: {}).", per_region.size(),
                            r.regions, names);
    }
    h += para(fmt::format("{} of the {} tests are flagged{}.{}{}{} {}", r.flagged(), r.tests_run(),
                          whole_flags.empty() ? " (none on the whole count)" : fmt::format(" ({} on the whole count)", whole_flags.size()),
                          whole_flags.empty() ? "" : " On the whole count: " + clauses + ".", kinds, regions, caveat));
    h += para(within);
    sec.key_findings.push_back(fmt::format(
        "Forensic battery: {} of {} tests flagged (false discovery rate {}){}.{} {} {}", r.flagged(), r.tests_run(),
        num(r.fdr, 2), whole_flags.empty() ? "" : "; on the whole count: " + clauses, kinds, within, caveat));
  }
  return whole_flags;
}

// The caution paragraph on the shape tests, when one of them is flagged on the whole count.
void forensic_section_shape_caution(const std::vector<const ForensicTest*>& whole_flags, std::string& h) {
  bool shape_flag = false;
  for (const auto* t : whole_flags)
    shape_flag |= t->id == "dip" || t->id == "turnout_share_slope" || t->id == "turnout_share_correlation";
  if (shape_flag)
    h += para("The dip test, the turnout-share slope and the correlation respond to any difference between kinds of "
              "places (town and country, regions that vote and turn out differently) as much as to ballot stuffing: "
              "their nulls pair units only within the coarsest regions and assume one cluster. A flag on them says the "
              "count is not one homogeneous population; which explanation holds needs the other sections (where the "
              "pattern sits on the map, who was counted when) and evidence beyond the numbers.");
}

// The whole-percentage histograms and each tested choice's fingerprint, with its corner paragraph.
void forensic_section_charts(const ForensicsResult& r, Section& sec) {
  std::string& h = sec.html;
  size_t chart = 0;
  for (const auto& ph : r.percent_histograms) {
    if (ph.units == 0) continue;
    Chart c = percent_chart(ph, chart++);
    h += chart_div(c);
    sec.charts.push_back(std::move(c));
  }
  for (size_t i = 0; i < r.fingerprints.size(); ++i) {
    const Fingerprint& f = r.fingerprints[i];
    if (f.units == 0) continue;
    h += para(fmt::format("{} of the units ({} of the registered voters) report both turnout and {}'s share at 90% or "
                          "more.",
                          percent(f.corner_units, 2), percent(f.corner_voters, 2), f.choice));
    Chart c = fingerprint_chart(f, i);
    h += chart_div(c);
    sec.charts.push_back(std::move(c));
  }
}

// Klimek et al.'s fit and Shpilkin's estimate for one choice, when either ran.
void forensic_section_model(const ModelFits& m, std::string& h) {
  const KlimekFit& k = m.klimek;
  const ShpilkinEstimate& sh = m.shpilkin;
  if (k.run && k.fits)
    h += para(fmt::format(
        "Klimek et al.'s fraud model fitted to {}'s fingerprint ({} units), which passed its fit check ({}): "
        "incremental stuffing in {} of units ({}% interval {} to {}) and extreme stuffing in {} ({} to {}). The "
        "intervals come from refitting data simulated from the fitted model with its clean part held fixed, so they "
        "are narrower than the real uncertainty: on data drawn from the model itself, with incremental stuffing in "
        "10% or 30% of units, the fit found less than that and its interval held the truth in at most 15 of 40 "
        "cases. Read the incremental figure as a lower bound.",
        k.choice, count(static_cast<long long>(k.units)), k.fit_check, percent(k.fi, 1), std::lround(100 * k.level),
        percent(k.fi_lo, 1), percent(k.fi_hi, 1), percent(k.fe, 2), percent(k.fe_lo, 2), percent(k.fe_hi, 2)));
  else if (k.run)
    h += para(fmt::format("Klimek et al.'s fraud model, fitted to {}'s fingerprint ({} units): the model's assumptions "
                          "fail here, so it gives no estimate ({}).",
                          k.choice, count(static_cast<long long>(k.units)), k.fit_check));
  if (sh.run && sh.fits)
    h += para(fmt::format(
        "Shpilkin's method: {} votes for {} above what its share at the turnout mode ({}) would give ({}% interval "
        "{} to {}), {} of its votes.{}",
        count(std::llround(sh.anomalous_votes)), sh.choice, percent(sh.clean_turnout_mode, 1),
        std::lround(100 * sh.level), count(std::llround(sh.lo)), count(std::llround(sh.hi)),
        percent(sh.share_of_winner_votes, 1),
        sh.clipped ? " (The raw count is negative, as when the choice does worse above the mode: shown as 0.)" : ""));
  else if (sh.run)
    h += para(fmt::format("Shpilkin's method for {}: the model's assumptions fail here, so it gives no estimate ({}).",
                          sh.choice, sh.fit_check));
}

// The model-based estimates of every tested choice, when any ran.
void forensic_section_models(const ForensicsResult& r, std::string& h) {
  bool any = false;
  for (const auto& m : r.model_fits) any |= m.klimek.run || m.shpilkin.run;
  if (!any) return;
  h += "<h3>Model-based estimates</h3>\n";
  h += para("For each tested choice: ballot stuffing shows in the winner's fingerprint, and votes moved from a rival "
            "show in that rival's.");
  for (const auto& m : r.model_fits) forensic_section_model(m, h);
  h += para("Both assume that honest units form a single cluster around one turnout and one share. Where places "
            "differ for other reasons (town and country, regions that vote differently, compulsory voting), they "
            "count those differences as anomaly. Read them as how far the count departs from that model, not as a "
            "number of falsified votes; they carry weight only beside the tests above.");
}

// The test tables (whole count, flagged regional tests) and the closing notes.
void forensic_section_tables(const ForensicsResult& r, size_t region_flags, std::string& h) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : r.tests)
    if (t.region.empty()) rows.push_back(row(t));
  const std::vector<bool> numeric = {false, false, false, true, false, true, true, false};
  const std::vector<std::string> header = {"Test", "Target", "Where", "Statistic", "Null mean (sd)", "p", "q", "Flag"};
  h += "<h3>Tests on the whole count</h3>\n";
  h += table(header, rows, numeric, "forensic-tests");
  if (!r.by.empty()) {
    rows.clear();
    for (const auto& t : r.tests)
      if (!t.region.empty() && t.flag && rows.size() < 500) rows.push_back(row(t));
    h += fmt::format("<h3>Flagged tests by {}</h3>\n", esc(r.by));
    if (rows.empty()) h += para("No test is flagged in any region.");
    else h += table(header, rows, numeric, "forensic-tests");
    if (region_flags > rows.size())
      h += para(fmt::format("The first {} of {} flagged regional tests; the JSON bundle has them all.", rows.size(), region_flags));
  }
  h += para("Shown without a test, out of the false-discovery family and never flagged: the second-digit (2BL) "
            "mean (the binomial null smooths the counts a second time, which moves the second digit by itself); "
            "skewness and kurtosis (no clean model of the shares' shape held on simulated honest elections); the "
            "dip (on real counts it measures ties, such as common sheet sizes and 100% turnouts, which its uniform "
            "null cannot produce); and the whole-count turnout-share slope and correlation (clean counts associate "
            "turnout and share within regions too, because places that turn out more also vote differently). Units "
            "too small to carry a digit test are left out by a stated rule; each test's JSON lists how many and why.");
  h += para(fmt::format("A p-value shown as \"< x\" is {}; it is never shown as 0.", p_method(r.replicates)));
  for (const auto& n : r.notes) h += para("Note: " + n + ".");
}

}  // namespace

Section section_forensics(const Maybe<ForensicsResult>& fm) {
  if (!fm.has()) return unavailable_section("forensics", "Forensic battery", fm.reason);
  const ForensicsResult& r = *fm.value;
  Section sec;
  sec.id = "forensics";
  sec.title = "Forensic battery";
  std::string& h = sec.html;
  h += forensic_section_intro(r);
  size_t region_flags = 0;
  const std::vector<const ForensicTest*> whole_flags = forensic_section_flags(r, sec, region_flags);
  forensic_section_shape_caution(whole_flags, h);
  forensic_section_charts(r, sec);
  forensic_section_models(r, h);
  forensic_section_tables(r, region_flags, h);
  return sec;
}

}  // namespace tallyscope::report
