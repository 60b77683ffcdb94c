// Building blocks of the HTML report: escaping, JSON safe inside <script>, number formatting, and
// the Section every section builder returns (HTML plus the Vega-Lite specs of its charts).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tallyscope::report {

// Text for HTML element content and attribute values: & < > " ' escaped, bidi controls (U+202E)
// shown as their code (<U+202E>).
std::string esc(std::string_view text);
// JSON text that is safe inside a <script> element: '<' , '>' and '&' written as \u003c etc. (so
// no "</script>" or "<!--" can end or confuse the element) and U+2028 / U+2029 escaped.
std::string json_for_script(const nlohmann::ordered_json& j);

// Numbers for prose: fixed decimals, thousands separators, signed points, percentages.
std::string num(double v, int decimals = 2);
std::string count(long long v);
std::string signed_points(double v, int decimals = 2);  // "+3.12" / "-0.40"
std::string percent(double share, int decimals = 1);    // 0.1234 -> "12.3%"
// A probability in words that never rounds to certainty: "above 99.9%", "below 0.1%", else "12.3%".
std::string probability(double p);

struct Chart {
  std::string id;                // unique in the report; the element's id
  std::string caption;           // one plain sentence under the chart
  nlohmann::ordered_json spec;   // a Vega-Lite spec with its data inline (data.values)
};

struct Section {
  std::string id, title;
  std::string html;                  // the body; refers to charts by <div class="chart" id=...>
  std::vector<Chart> charts;
  std::vector<std::string> key_findings;  // sentences for the summary at the top (plain text)
  std::string status = "ok";         // "ok", or "unavailable" / "pending" with the reason in html
};

// A chart's placeholder element and caption, for a section's HTML.
std::string chart_div(const Chart& c);
// Appends a chart to a section: its placeholder to the HTML, the chart to the list.
void add_chart(Section& sec, Chart c);
// A paragraph (text escaped).
std::string para(std::string_view text);
// A sortable table: the header cells and rows are escaped; `numeric` marks columns sorted as numbers.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& numeric = {}, std::string_view css_class = "");

}  // namespace tallyscope::report
