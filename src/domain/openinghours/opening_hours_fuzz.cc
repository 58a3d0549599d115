// libFuzzer harness for opening-hours input, which comes from people and imports: the
// normaliser, the strict parser and, for what parses, evaluation and the French schedule.
// Built with `make fuzz` (clang); crashes, sanitizer reports and failed invariants are findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/clock.h"
#include "domain/openinghours/normaliser.h"
#include "domain/openinghours/opening_hours.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 512) return 0;  // evaluation walks a year of days: keep each run short
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using pasip::openinghours::OpeningHours;
  const auto normalised = pasip::openinghours::Normalise(input);
  for (const std::string_view text : {input, std::string_view(normalised.text)}) {
    const auto hours = OpeningHours::Parse(text);
    if (!hours) {
      // Every rejection must point inside the text (or just after it).
      const int position = pasip::openinghours::ParseErrorPosition(hours.error());
      if (position < 1 || static_cast<std::size_t>(position) > text.size() + 1) std::abort();
      continue;
    }
    const pasip::openinghours::Place place{"57", nullptr};
    const auto at = pasip::FromUnixSeconds(1792000000);  // October 2026, near the DST switch
    const auto state = hours->StateAt(at, place);
    if (const auto next = hours->NextChange(at, place)) {
      if (*next <= at || hours->StateAt(*next, place) == state) std::abort();
    }
    (void)pasip::openinghours::FormatWeekFr(hours->Week({2026, 10, 19}, place));
  }
  return 0;
}
