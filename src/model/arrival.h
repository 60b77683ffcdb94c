// When each sheet of a final count arrived in the count being examined (a quick count, a
// preliminary count): per-sheet timestamps, or snapshots that say which sheets were in by when.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/election.h"

namespace tallyscope {

struct Arrival {
  enum class Kind { kTimestamps, kSnapshots };
  Kind kind = Kind::kTimestamps;
  std::vector<std::string> sources;  // the file(s) it came from
  // Per sheet of the final count: epoch milliseconds (timestamps) or the index of the first
  // snapshot that holds the sheet (snapshots); kMissing when the sheet never arrived.
  std::vector<int64_t> order;
  // The text of each timestamp as written in the file ("" when not arrived), to show what
  // sorting it as text instead of as time would do.
  std::vector<std::string> time_text;
  int32_t offset_minutes = 0;  // the zone used to display times (the first zone seen)
  std::vector<std::string> snapshot_labels;
  size_t arrived = 0;
  size_t extra_rows = 0;  // rows in the arrival file(s) beyond the final count's sheets (none allowed)
  // Times written without a zone and read as UTC because no zone was given (--timezone or the
  // spec's timezone): the caller says so, as the reading may be hours off.
  size_t read_as_utc = 0;

  size_t sheets() const { return order.size(); }
  bool has_arrived(size_t sheet) const { return order[sheet] != kMissing; }
};

struct ArrivalReadOptions {
  std::string id_column;    // default: the final count's id column if present, else the first column
  std::string time_column;  // default: the first column named like a time (time, _at, fecha, hora, date)
  std::string timezone;     // for times without a zone; default: the final count's spec, else UTC
};

// Reads per-sheet arrival times. InputError (file:line:column) for an id not in the final count,
// a repeated id, an unparseable time, a missing column or an empty file.
Arrival read_arrival_times(const std::string& path, const Election& final_count, const ArrivalReadOptions& options = {});

// Arrival from snapshots in time order: a sheet's order is the first snapshot that holds it.
// InputError when a snapshot holds a sheet absent from the final count or repeats an id, or when
// a sheet present in one snapshot is missing from a later one (snapshots must be cumulative).
Arrival arrival_from_snapshots(const std::vector<const Election*>& snapshots, const Election& final_count);

}  // namespace tallyscope
