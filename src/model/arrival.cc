#include "model/arrival.h"

#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "io/csv_reader.h"
#include "io/error.h"
#include "io/number.h"
#include "io/timestamp.h"
#include "model/layout.h"

namespace tallyscope {


Arrival read_arrival_times(const std::string& path, const Election& final_count, const ArrivalReadOptions& options) {
  final_count.require_unique_ids("arrivals are joined to the final count by sheet id");
  auto reader = CsvReader::open(path);
  CsvRecord rec;
  if (!reader->next(rec)) throw InputError({path}, "the arrival file is empty: no header row");
  std::vector<std::string> header;
  for (auto f : rec.fields) header.emplace_back(trim(f));
  auto find = [&](const std::string& name) -> int {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    return -1;
  };
  int id_col = -1, time_col = -1;
  if (!options.id_column.empty()) {
    id_col = find(options.id_column);
    if (id_col < 0) throw InputError({path, 1, 0, options.id_column}, "the arrival file has no such id column");
  } else {
    const auto& ids = final_count.spec().id;
    if (ids.size() == 1) id_col = find(ids[0]);
    if (id_col < 0) id_col = 0;
  }
  if (!options.time_column.empty()) {
    time_col = find(options.time_column);
    if (time_col < 0) throw InputError({path, 1, 0, options.time_column}, "the arrival file has no such time column");
  } else {
    for (size_t i = 0; i < header.size() && time_col < 0; ++i) {
      // Whole words of the normalised name ("verified_at" -> "verified at"), so that "date" does
      // not match "candidate".
      std::istringstream words(normalise_name(header[i]));
      std::string w;
      bool timeish = false;
      while (words >> w)
        for (const char* k : {"time", "timestamp", "fecha", "hora", "date", "datetime", "verified", "at", "when"})
          timeish = timeish || w == k;
      if (timeish && static_cast<int>(i) != id_col) time_col = static_cast<int>(i);
    }
    if (time_col < 0)
      throw InputError({path, 1}, fmt::format("no time column found among {} (name it with --arrival-time)",
                                              fmt::join(header, ", ")));
  }
  if (time_col == id_col) throw InputError({path, 1}, "the id and time columns are the same column");
  std::string tz = !options.timezone.empty() ? options.timezone : final_count.spec().timezone;
  int32_t default_offset = 0;
  if (!tz.empty()) {
    auto off = parse_utc_offset(tz);
    if (!off) throw UsageError(fmt::format("'{}' is not a UTC offset like -04:00", tz));
    default_offset = *off;
  }
  Arrival a;
  a.kind = Arrival::Kind::kTimestamps;
  a.sources = {path};
  a.order.assign(final_count.sheets(), kMissing);
  a.time_text.assign(final_count.sheets(), "");
  a.offset_minutes = default_offset;
  std::vector<uint64_t> seen_line(final_count.sheets(), 0);
  bool first = true;
  while (reader->next(rec)) {
    if (rec.fields.size() != header.size())
      throw InputError({path, rec.line}, fmt::format("this row has {} fields where the header has {}", rec.fields.size(),
                                                     header.size()));
    std::string_view id = trim(rec.fields[static_cast<size_t>(id_col)]);
    auto sheet = final_count.find(id);
    if (!sheet)
      throw InputError({path, rec.line, static_cast<uint64_t>(id_col) + 1, header[static_cast<size_t>(id_col)]},
                       fmt::format("sheet id '{}' is not in the final count {} (the arrival file must describe the "
                                   "same sheets)", id, final_count.source()));
    if (seen_line[*sheet])
      throw InputError({path, rec.line, static_cast<uint64_t>(id_col) + 1, header[static_cast<size_t>(id_col)]},
                       fmt::format("sheet id '{}' repeats (first on line {})", id, seen_line[*sheet]));
    seen_line[*sheet] = rec.line;
    std::string_view text = trim(rec.fields[static_cast<size_t>(time_col)]);
    auto t = parse_timestamp(text, default_offset);
    if (!t)
      throw InputError({path, rec.line, static_cast<uint64_t>(time_col) + 1, header[static_cast<size_t>(time_col)]},
                       fmt::format("'{}' is not an ISO 8601 date-time (e.g. 2019-10-20T19:40:57-04:00)", text.substr(0, 80)));
    if (first && t->had_offset) a.offset_minutes = t->offset_minutes;
    if (!t->had_offset && tz.empty()) ++a.read_as_utc;
    first = false;
    a.order[*sheet] = t->epoch_ms;
    a.time_text[*sheet] = std::string(text);
    ++a.arrived;
  }
  if (a.arrived == 0) throw InputError({path}, "the arrival file has a header but no rows");
  return a;
}

Arrival arrival_from_snapshots(const std::vector<const Election*>& snapshots, const Election& final_count) {
  final_count.require_unique_ids("arrivals are joined to the final count by sheet id");
  Arrival a;
  a.kind = Arrival::Kind::kSnapshots;
  a.order.assign(final_count.sheets(), kMissing);
  for (size_t k = 0; k < snapshots.size(); ++k) {
    const Election& snap = *snapshots[k];
    a.sources.push_back(snap.source());
    a.snapshot_labels.push_back(snap.source());
    snap.require_unique_ids("a snapshot is joined to the final count by sheet id");
    std::vector<bool> present(final_count.sheets(), false);
    for (size_t s = 0; s < snap.sheets(); ++s) {
      auto f = final_count.find(snap.id(s));
      if (!f)
        throw InputError({snap.file_of(s), snap.line(s)},
                         fmt::format("sheet id '{}' is not in the final count {}", snap.id(s), final_count.source()));
      present[*f] = true;
      if (a.order[*f] == kMissing) a.order[*f] = static_cast<int64_t>(k);
    }
    for (size_t f = 0; f < final_count.sheets(); ++f)
      if (a.order[f] != kMissing && !present[f])
        throw InputError({snap.source()},
                         fmt::format("sheet '{}' is in an earlier snapshot but not in this one: snapshots must be "
                                     "cumulative and given in time order", final_count.id(f)));
  }
  for (int64_t o : a.order) a.arrived += o != kMissing;
  return a;
}

}  // namespace tallyscope
