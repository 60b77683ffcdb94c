#include "model/long_format.h"

#include <algorithm>

#include <fmt/format.h>

#include "io/csv_reader.h"
#include "io/error.h"
#include "io/number.h"
#include "model/column_resolver.h"
#include "model/layout.h"

namespace tallyscope {
namespace {

// "1,001": OpenElections' files keep the county's own number format, thousands grouped by commas.
bool strip_thousands(std::string_view text, std::string& out) {
  text = trim(text);
  out.clear();
  size_t group = 0;
  bool first = true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ',') {
      if ((first && (group == 0 || group > 3)) || (!first && group != 3)) return false;
      first = false;
      group = 0;
    } else if (c >= '0' && c <= '9') {
      out.push_back(c);
      ++group;
    } else {
      return false;
    }
  }
  return !first && group == 3;
}

}  // namespace

LongReshaper::LongReshaper(std::string file, std::vector<std::string> header, uint64_t header_line, ElectionSpec spec,
                           std::string contest, bool lenient)
    : file_(file), files_{std::move(file)}, header_(std::move(header)), header_line_(header_line), spec_(std::move(spec)),
      contest_(contest.empty() ? spec_.contest : std::move(contest)), lenient_(lenient) {
  const LongFormat& lf = *spec_.long_format;
  const ColumnResolver column(file_, header_, header_line_);
  for (const auto& c : spec_.id) id_cols_.push_back(column(c, "the sheet id"));
  choice_col_ = column(lf.choice, "the choice of each row ([long] choice)");
  votes_col_ = column(lf.votes, "the votes of each row ([long] votes)");
  if (spec_.contest_column) contest_col_ = column(*spec_.contest_column, "the race (contest)");
  for (const auto& g : spec_.geography) sheet_cols_.push_back(column(g, "a geography level"));
  for (const auto* o : {&spec_.registered, &spec_.blank, &spec_.invalid, &spec_.ballots, &spec_.valid, &spec_.latitude,
                        &spec_.longitude, &spec_.timestamp})
    if (*o) sheet_cols_.push_back(column(**o, "a sheet-level column"));
  for (const auto& e : spec_.extras) sheet_cols_.push_back(column(e.column, "an extra protocol line"));
  for (size_t r = 0; r < lf.roles.size(); ++r) {
    const std::string& role = lf.roles[r].first;
    const bool as_column = (role == "registered" && spec_.registered) || (role == "ballots" && spec_.ballots) ||
                           (role == "valid" && spec_.valid) || (role == "blank" && spec_.blank) ||
                           (role == "invalid" && spec_.invalid);
    if (as_column)
      throw InputError({file_}, fmt::format("the spec gives {} both as a column ([columns]) and as rows ([long.roles])",
                                            role));
    for (const auto& l : lf.roles[r].second) {
      if (!label_index_.emplace(normalise_name(l), labels_.size()).second)
        throw InputError({file_}, fmt::format("the label '{}' is given to two roles in [long.roles]", l));
      labels_.push_back(l);
      label_role_.push_back(static_cast<int>(r));
    }
  }
}

// Labels repeat on every sheet: the exact text is looked up first, normalising (ICU) only a new one.
size_t LongReshaper::slot(std::string_view text) {
  auto hit = exact_slot_.find(text);
  if (hit == exact_slot_.end()) hit = exact_slot_.emplace(std::string(text), slot_of_new(text)).first;
  else if (hit->second != SIZE_MAX && labels_[hit->second] != text && label_role_[hit->second] < 0) ++merged_labels_;
  return hit->second;
}

size_t LongReshaper::slot_of_new(std::string_view text) {
  const std::string key = normalise_name(std::string(text));
  auto it = label_index_.find(key);
  if (it != label_index_.end()) {
    if (labels_[it->second] != text && label_role_[it->second] < 0) ++merged_labels_;
    return it->second;
  }
  if (!spec_.choices.empty()) {  // the spec lists the choices to read
    auto c = std::find_if(spec_.choices.begin(), spec_.choices.end(),
                          [&](const NamedColumn& n) { return normalise_name(n.column) == key; });
    if (c == spec_.choices.end()) return SIZE_MAX;
    label_index_.emplace(key, labels_.size());
    labels_.push_back(c->name);
  } else {
    label_index_.emplace(key, labels_.size());
    labels_.emplace_back(text);
  }
  label_role_.push_back(-1);
  return labels_.size() - 1;
}

std::string LongReshaper::key(const std::vector<std::string_view>& f) const {
  std::string id;
  for (size_t k = 0; k < id_cols_.size(); ++k) {
    if (k) id.push_back('/');
    id.append(trim(f[id_cols_[k]]));
  }
  return id;
}

LongReshaper::Sheet& LongReshaper::sheet_of(uint64_t line, const std::vector<std::string_view>& f) {
  id_ = key(f);
  auto [it, fresh] = index_.emplace(id_, sheets_.size());
  if (fresh) {
    Sheet sh;
    sh.file = file_index_;
    sh.line = line;
    sh.fields.assign(f.begin(), f.end());
    sheets_.push_back(std::move(sh));
    return sheets_.back();
  }
  Sheet& sh = sheets_[it->second];
  for (size_t c : sheet_cols_)
    if (trim(f[c]) != trim(sh.fields[c]))
      throw InputError({file_, line, c + 1, header_[c]},
                       fmt::format("'{}' differs from '{}' on this sheet's first row ({}): a sheet-level column "
                                   "must hold one value for all the rows of a sheet (is the id '{}' not unique?)",
                                   trim(f[c]).substr(0, 100), trim(sh.fields[c]).substr(0, 100), at(sh.file, sh.line),
                                   id_));
  return sh;
}

void LongReshaper::store(Sheet& sh, size_t s, uint64_t line, std::string_view votes) {
  if (sh.counts.size() < labels_.size()) {
    sh.counts.resize(labels_.size(), -1);
    sh.lines.resize(labels_.size(), 0);
    sh.files.resize(labels_.size(), 0);
    sh.raw.resize(labels_.size());
  }
  if (sh.lines[s])
    throw InputError({file_, line, choice_col_ + 1, header_[choice_col_]},
                     fmt::format("a second row for '{}' on the sheet '{}' (the first is at {})", labels_[s], id_,
                                 at(sh.files[s], sh.lines[s])));
  sh.lines[s] = line;
  sh.files[s] = file_index_;
  int64_t v = 0;
  CountParse r = parse_count(votes, v);
  std::string digits;
  if (r == CountParse::kNotANumber && strip_thousands(votes, digits)) {
    r = parse_count(digits, v);
    if (r == CountParse::kOk) ++thousands_;
  }
  if (r == CountParse::kOk) {
    sh.counts[s] = v;
    return;
  }
  if (r == CountParse::kEmpty) return;  // a missing count
  if (!lenient_)
    throw InputError({file_, line, votes_col_ + 1, header_[votes_col_]},
                     fmt::format("the count '{}' is {}: a count must be a whole number of zero or more (pass "
                                 "--lenient to keep such cells as missing and report them in `check`)",
                                 votes.substr(0, 200), describe(r)));
  sh.raw[s] = std::string(votes.substr(0, 200));
}

void LongReshaper::add(uint64_t line, const std::vector<std::string_view>& f) {
  if (f.size() != header_.size()) throw ragged_row(file_, line, f.size(), header_.size());
  ++rows_;
  std::string_view label = trim(f[choice_col_]);
  if (contest_col_ != SIZE_MAX) {
    std::string_view race = trim(f[contest_col_]);
    if (races_.size() < 20 && std::find(races_.begin(), races_.end(), race) == races_.end()) races_.emplace_back(race);
    if (contest_.empty() || race != contest_) {
      // A protocol line written as a race of its own (Pennsylvania: office "Registered Voters").
      auto it = label_index_.find(normalise_name(std::string(race)));
      if (contest_.empty() || it == label_index_.end() || label_role_[it->second] < 0) {
        ++other_rows_;
        return;
      }
      pending_.push_back({key(f), it->second, file_index_, line, std::string(f[votes_col_])});
      return;
    }
  }
  const size_t s = slot(label);
  if (s == SIZE_MAX) {
    ++other_rows_;
    return;
  }
  store(sheet_of(line, f), s, line, f[votes_col_]);
}

void LongReshaper::next_file(std::string file) {
  file_ = file;
  files_.push_back(std::move(file));
  file_index_ = static_cast<uint32_t>(files_.size() - 1);
}

std::vector<size_t> LongReshaper::used_columns() const {
  std::vector<size_t> c = id_cols_;
  c.insert(c.end(), sheet_cols_.begin(), sheet_cols_.end());
  c.push_back(choice_col_);
  c.push_back(votes_col_);
  if (contest_col_ != SIZE_MAX) c.push_back(contest_col_);
  return c;
}

std::string LongReshaper::at(uint32_t file, uint64_t line) const {
  if (files_.size() == 1) return fmt::format("line {}", line);
  return fmt::format("line {} of {}", line, files_[file]);
}

WideTable LongReshaper::finish() {
  if (contest_col_ != SIZE_MAX && contest_.empty())
    throw UsageError(fmt::format("{}: the file holds several races (column '{}': {}); choose one with --contest NAME",
                                 file_, header_[contest_col_], fmt::join(races_, ", ")));
  if (sheets_.empty())
    throw InputError({file_, header_line_},
                     contest_col_ != SIZE_MAX
                         ? fmt::format("no row of the race '{}' (races in the file: {})", contest_, fmt::join(races_, ", "))
                         : std::string("the file has a header but no rows"));
  for (const Pending& p : pending_) {
    auto it = index_.find(p.id);
    if (it == index_.end()) {
      ++other_rows_;
      continue;
    }
    id_ = p.id;
    file_index_ = p.file;
    file_ = files_[p.file];
    store(sheets_[it->second], p.slot, p.line, p.votes);
  }
  pending_.clear();
  WideTable w;
  w.header = header_;
  w.spec = spec_;
  w.spec.long_format.reset();
  w.spec.contest_column.reset();
  w.spec.choices.clear();
  std::vector<size_t> order;  // choices first, in first-seen order, then the roles
  for (size_t s = 0; s < labels_.size(); ++s)
    if (label_role_[s] < 0) order.push_back(s);
  const size_t n_choices = order.size();
  const auto& roles = spec_.long_format->roles;
  // A role's labels are summed into one column (Pennsylvania: invalid = over votes + rejected write-ins).
  std::vector<std::vector<size_t>> role_slots(roles.size());
  for (size_t s = 0; s < labels_.size(); ++s)
    if (label_role_[s] >= 0) role_slots[static_cast<size_t>(label_role_[s])].push_back(s);
  auto unique_header = [&](std::string name) {
    while (std::find(w.header.begin(), w.header.end(), name) != w.header.end()) name += " (votes)";
    w.header.push_back(name);
    return name;
  };
  for (size_t k = 0; k < n_choices; ++k) w.spec.choices.push_back({labels_[order[k]], unique_header(labels_[order[k]])});
  std::vector<size_t> used_roles;
  for (size_t r = 0; r < roles.size(); ++r) {
    bool seen = false;
    for (const Sheet& sh : sheets_)
      for (size_t s : role_slots[r]) seen = seen || (s < sh.lines.size() && sh.lines[s]);
    if (!seen) continue;  // a role none of whose labels occurs: not mapped rather than all missing
    const std::string h = unique_header(fmt::format("{}", fmt::join(roles[r].second, " + ")));
    const std::string& role = roles[r].first;
    (role == "registered" ? w.spec.registered : role == "ballots" ? w.spec.ballots : role == "valid" ? w.spec.valid
     : role == "blank" ? w.spec.blank : w.spec.invalid) = h;
    used_roles.push_back(r);
  }
  if (n_choices == 0) throw InputError({file_, header_line_}, "no row of the long file names a choice");
  // Read from several files (one a county), a choice no row of a file names is not on that file's
  // list (Pennsylvania's counties each name their own write-in lines): its sheets hold 0 for it.
  // A choice a file names on some sheets only stays missing on the others, as in one file.
  std::vector<std::vector<uint8_t>> named(labels_.size());
  if (files_.size() > 1) {
    for (auto& v : named) v.assign(files_.size(), 0);
    for (const Sheet& sh : sheets_)
      for (size_t s = 0; s < sh.lines.size(); ++s)
        if (sh.lines[s]) named[s][sh.files[s]] = 1;
  }
  size_t not_listed = 0;
  for (Sheet& sh : sheets_) {
    sh.counts.resize(labels_.size(), -1);
    sh.lines.resize(labels_.size(), 0);
    sh.files.resize(labels_.size(), 0);
    sh.raw.resize(labels_.size());
    // An unreadable count (kept as text, with lenient) is reported where the long file holds it.
    auto origin = [&](size_t s) {
      w.origins[{w.rows.size(), sh.fields.size()}] = {sh.files[s], sh.lines[s], votes_col_ + 1, header_[votes_col_]};
    };
    auto cell = [&](size_t s) {
      if (sh.counts[s] >= 0) return std::to_string(sh.counts[s]);
      if (files_.size() > 1 && sh.raw[s].empty() && !named[s][sh.file]) return ++not_listed, std::string("0");
      if (!sh.raw[s].empty()) origin(s);
      return sh.raw[s];
    };
    for (size_t k = 0; k < n_choices; ++k) sh.fields.push_back(cell(order[k]));
    for (size_t r : used_roles) {
      int64_t sum = 0;
      bool any = false;
      std::string raw;
      for (size_t s : role_slots[r]) {
        if (sh.counts[s] >= 0) {
          sum += sh.counts[s], any = true;
        } else if (!sh.raw[s].empty()) {
          if (raw.empty()) origin(s);
          if (raw.empty()) raw = sh.raw[s];
        }
      }
      sh.fields.push_back(!raw.empty() ? raw : any ? std::to_string(sum) : std::string());
    }
    w.rows.emplace_back(sh.line, std::move(sh.fields));
    if (files_.size() > 1) w.row_files.push_back(sh.file);
  }
  w.spec.notes.push_back(fmt::format("read a long file: {} rows into {} sheets of {} choices{}", rows_, sheets_.size(),
                                     n_choices,
                                     contest_col_ != SIZE_MAX ? fmt::format(", the race '{}' of column '{}' (races in the "
                                                                            "file: {})", contest_, header_[contest_col_],
                                                                            fmt::join(races_, ", "))
                                                              : std::string()));
  if (other_rows_) w.spec.notes.push_back(fmt::format("{} rows of other races or unlisted choices were not read", other_rows_));
  if (merged_labels_)
    w.spec.notes.push_back(fmt::format("{} rows spell a choice differently (case or accents) and were read as that choice",
                                       merged_labels_));
  if (not_listed)
    w.spec.notes.push_back(fmt::format("{} counts are 0 because their file names no row for that choice (each file "
                                       "lists its own choices)", not_listed));
  if (thousands_) w.spec.notes.push_back(fmt::format("{} counts were written with thousands separators (1,001)", thousands_));
  return w;
}

}  // namespace tallyscope
