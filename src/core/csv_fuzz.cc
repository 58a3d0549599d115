// libFuzzer harness for the CSV reader, which reads every imported file (communes,
// data·inclusion, France services): whatever it reads must write back with AppendRow and
// read again to the same fields; a refusal must name a line of the text.
// Built with `make fuzz` (clang); crashes, sanitizer reports and failed invariants are findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"

namespace {

// Every record's fields, or nothing when the text is refused.
bool ReadAll(std::string_view text, char separator, std::vector<std::vector<std::string>>& out) {
  pasip::csv::Reader reader(text, separator);
  pasip::csv::Record record;
  std::size_t last_line = 0;
  while (true) {
    auto more = reader.Next(record);
    if (!more) {
      if (more.error().message.rfind("ligne ", 0) != 0 || more.error().field != "fichier") {
        std::abort();
      }
      return false;
    }
    if (!*more) return true;
    if (record.line <= last_line || record.fields.empty()) std::abort();
    last_line = record.line;
    out.push_back(record.fields);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::vector<std::string>> records;
  (void)pasip::csv::DetectSeparator(input);
  std::vector<std::vector<std::string>> semicolons;
  (void)ReadAll(input, ';', semicolons);
  if (!ReadAll(input, ',', records)) return 0;
  // A first field starting with a byte order mark would lose it when read back.
  if (!records.empty() && records.front().front().starts_with("\xEF\xBB\xBF")) return 0;
  std::string written;
  for (const auto& fields : records) pasip::csv::AppendRow(written, fields);
  std::vector<std::vector<std::string>> again;
  if (!ReadAll(written, ',', again) || again != records) std::abort();
  return 0;
}
