// Recognising a tally-sheet file's layout from its header: the layouts of electoral authorities
// tallyscope knows (the guess for the rest is in model/guess.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/spec.h"

namespace tallyscope {

// The spec of a known layout (Bolivia's OEP 2019 count and TREP files, the OEP 2016 referendum
// file, the Russian CEC protocol files), or nullopt.
std::optional<ElectionSpec> known_layout(const std::vector<std::string>& header);

// The layout `tallyscope simulate` writes ("tallyscope-simulated"): sheet_id, the geography
// levels, latitude, longitude, registered, one column per choice, blank, invalid, arrived_at
// (ISO 8601 with its zone), then the truth of the simulation as extras: sim_stuffed (0 clean,
// 1 incremental, 2 extreme ballot stuffing), sim_rounded (1: the leader's share was set to a
// whole percentage), sim_late (1: the sheet's region was counted late).
inline constexpr const char* kSimulatedLayout = "tallyscope-simulated";
ElectionSpec simulated_spec(const std::vector<std::string>& geography_levels, const std::vector<std::string>& choices);
// The header of that layout, in file order.
std::vector<std::string> simulated_header(const std::vector<std::string>& geography_levels,
                                          const std::vector<std::string>& choices);

// Lower-case ASCII, accents on Latin letters removed, spaces trimmed, in clean_name's form (NFC, no
// invisible characters): for matching names.
std::string normalise_name(const std::string& s);

}  // namespace tallyscope
