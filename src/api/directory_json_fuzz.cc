// libFuzzer harness for the directory's JSON readers, which read imported data·inclusion
// feeds and API bodies: no input may crash them, and a record they accept must write out
// (ToDataInclusion) and read back to the same record.
// Built with `make fuzz` (clang); crashes, sanitizer reports and failed invariants are findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/directory_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const nlohmann::json j = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  using namespace pasip;

  if (auto s = api::StructureFromDataInclusion(j)) {
    const auto again = api::StructureFromDataInclusion(api::ToDataInclusion(*s));
    if (!again || !(*again == *s)) std::abort();
  }
  std::string structure_source_id;
  if (auto s = api::ServiceFromDataInclusion(j, structure_source_id)) {
    const std::string structure_di_id = directory::DataInclusionId(s->source, structure_source_id);
    std::string read_back;
    const auto again =
        api::ServiceFromDataInclusion(api::ToDataInclusion(*s, structure_di_id), read_back);
    if (!again || !(*again == *s) || read_back != structure_source_id) std::abort();
  }
  if (auto s = api::StructureFromJson(j)) {
    (void)api::ToJson(*s, directory::View::kPublic)
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (auto s = api::ServiceFromJson(j)) {
    (void)api::ToJson(*s, directory::View::kProfessional)
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return 0;
}
