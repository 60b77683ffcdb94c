#include "analysis/forensics/fingerprint.h"

#include <algorithm>

namespace tallyscope {

namespace {
size_t bin_of(double x, size_t bins) {
  if (!(x > 0)) return 0;
  return std::min(bins - 1, static_cast<size_t>(x * static_cast<double>(bins)));
}
}  // namespace

Fingerprint fingerprint(std::span<const int64_t> registered, std::span<const int64_t> ballots,
                        std::span<const int64_t> votes, size_t bins, const std::string& choice) {
  Fingerprint f;
  f.choice = choice;
  f.bins = bins = std::max<size_t>(bins, 1);
  f.counts.assign(bins * bins, 0);
  f.voters.assign(bins * bins, 0);
  double total_voters = 0, corner_u = 0, corner_v = 0;
  for (size_t i = 0; i < registered.size(); ++i) {
    if (registered[i] <= 0 || ballots[i] <= 0) continue;
    const double t = static_cast<double>(ballots[i]) / static_cast<double>(registered[i]);
    const double s = static_cast<double>(votes[i]) / static_cast<double>(ballots[i]);
    const size_t cell = bin_of(t, bins) * bins + bin_of(s, bins);
    const double reg = static_cast<double>(registered[i]);
    ++f.counts[cell];
    f.voters[cell] += reg;
    ++f.units;
    total_voters += reg;
    if (t >= 0.9 && s >= 0.9) {
      ++corner_u;
      corner_v += reg;
    }
  }
  f.corner_units = f.units ? corner_u / static_cast<double>(f.units) : 0;
  f.corner_voters = total_voters > 0 ? corner_v / total_voters : 0;
  return f;
}

nlohmann::ordered_json to_json(const Fingerprint& f) {
  nlohmann::ordered_json j;
  j["choice"] = f.choice;
  j["x"] = "turnout";
  j["y"] = "share of ballots";
  j["bins"] = f.bins;
  auto& edges = j["edges"] = nlohmann::ordered_json::array();
  for (size_t b = 0; b <= f.bins; ++b) edges.push_back(static_cast<double>(b) / static_cast<double>(f.bins));
  j["units"] = f.units;
  auto& c = j["counts"] = nlohmann::ordered_json::array();
  auto& v = j["voters"] = nlohmann::ordered_json::array();
  for (size_t t = 0; t < f.bins; ++t) {
    nlohmann::ordered_json rc = nlohmann::ordered_json::array(), rv = nlohmann::ordered_json::array();
    for (size_t s = 0; s < f.bins; ++s) {
      rc.push_back(f.counts[t * f.bins + s]);
      rv.push_back(f.voters[t * f.bins + s]);
    }
    c.push_back(std::move(rc));
    v.push_back(std::move(rv));
  }
  j["corner_units"] = f.corner_units;
  j["corner_voters"] = f.corner_voters;
  return j;
}

}  // namespace tallyscope
