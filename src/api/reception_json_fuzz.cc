// libFuzzer harness for the reception's JSON readers, which read API bodies: no input may
// crash them, and a record they accept must write out (ToJson) and read back to the same
// record.
// Built with `make fuzz` (clang); crashes, sanitizer reports and failed invariants are findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api/reception_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const nlohmann::json j = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  using namespace pasip;

  if (auto p = api::PassageFromJson(j)) {
    const auto again = api::PassageFromJson(api::ToJson(*p));
    if (!again || !(*again == *p)) std::abort();
  }
  if (auto p = api::PersonFromJson(j)) {
    const auto again = api::PersonFromJson(api::ToJson(*p));
    if (!again || !(*again == *p)) std::abort();
  }
  if (auto n = api::NoteFromJson(j)) {
    const auto again = api::NoteFromJson(api::ToJson(*n));
    if (!again || !(*again == *n)) std::abort();
  }
  if (auto c = api::ConsentFromJson(j)) {
    const auto again = api::ConsentFromJson(api::ToJson(*c));
    if (!again || !(*again == *c)) std::abort();
  }
  for (const char* field : {"personne", "organisation", "absorbee"}) {
    (void)api::OptId(j, field);
    (void)api::OptInteger(j, field);
    (void)api::OptText(j, field);
  }
  return 0;
}
