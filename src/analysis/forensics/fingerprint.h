// The turnout x vote-share fingerprint (Klimek, Yegorov, Hanel & Thurner, "Statistical detection
// of systematic election irregularities", PNAS 109(41), 2012): a 2-D histogram of units by
// turnout and by a choice's share of ballots. Clean elections show one roughly round cluster;
// ballot stuffing smears it toward 100% turnout and 100% share, and extreme fraud builds a
// second cluster in that corner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tallyscope {

struct Fingerprint {
  std::string choice;
  size_t bins = 0;             // per axis; bin b covers [b/bins, (b+1)/bins), the last includes 1
  size_t units = 0;            // units drawn (registered > 0, ballots > 0)
  std::vector<uint32_t> counts;  // [turnout_bin * bins + share_bin]: units
  std::vector<double> voters;    // same layout: registered voters
  // Share of units with turnout and share both at least 0.9, and the same share of registered
  // voters: the mass of the corner that extreme fraud fills.
  double corner_units = 0, corner_voters = 0;
};

// turnout[i] = ballots / registered and share[i] = votes / ballots for the units given.
Fingerprint fingerprint(std::span<const int64_t> registered, std::span<const int64_t> ballots,
                        std::span<const int64_t> votes, size_t bins, const std::string& choice);

// Chart-ready: {"x": "turnout", "y": "share", "bins", "edges", "units", "counts": [[...]...] (rows by
// turnout bin), "voters": [[...]...], "corner_units", "corner_voters"}.
nlohmann::ordered_json to_json(const Fingerprint& f);

}  // namespace tallyscope
