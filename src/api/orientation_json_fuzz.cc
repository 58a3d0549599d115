// libFuzzer harness for the orientation's JSON readers, which read API bodies (a draft, a
// step's parameters): no input may crash them, and what they accept is within the limits the
// domain then checks (a draft read twice reads the same).
// Built with `make fuzz` (clang); crashes, sanitizer reports and failed invariants are findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api/orientation_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const nlohmann::json j = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  using namespace pasip;

  if (auto d = api::DraftFromJson(j)) {
    const auto again = api::DraftFromJson(j);
    if (!again || again->service_id != d->service_id || again->motifs != d->motifs ||
        again->champs_partages != d->champs_partages || again->demande != d->demande) {
      std::abort();
    }
  }
  if (auto in = api::StepInputFromJson(j)) {
    if (in->version < 0 || in->service_id < 0) std::abort();
  }
  return 0;
}
