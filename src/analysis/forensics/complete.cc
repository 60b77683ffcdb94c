#include "analysis/forensics/complete.h"

namespace tallyscope {

CompleteSheets complete_sheets(const Election& e) {
  const size_t N = e.sheets();
  CompleteSheets r;
  r.complete.assign(N, 1);
  auto mark = [&](const CountColumn* c) {
    if (!c || !c->missing) return;
    for (size_t i = 0; i < N; ++i)
      if (c->values[i] == kMissing) r.complete[i] = 0;
  };
  mark(e.registered());
  mark(e.blank());
  mark(e.invalid());
  const CountColumn* declared = e.declared_valid();
  std::vector<uint8_t> empty_choice(N, 0);
  for (const auto& c : e.choices()) {
    if (!c.missing) continue;
    for (size_t i = 0; i < N; ++i)
      if (c.values[i] == kMissing) empty_choice[i] = 1;
  }
  for (size_t i = 0; i < N; ++i) {
    if (!empty_choice[i]) continue;
    // valid() reads missing cells as 0: equal to the declared total, the empty cells held nothing.
    const bool zero = declared && (*declared)[i] != kMissing && (*declared)[i] == e.valid()[i];
    if (!zero) r.complete[i] = 0;
    else if (r.complete[i]) ++r.zero_filled;
  }
  return r;
}

}  // namespace tallyscope
