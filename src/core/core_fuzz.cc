// libFuzzer harness for core's parsers of untrusted text: ISO 8601 instants (query
// parameters, imports), base32 (TOTP secrets), UTF-8 validation, e-mail shape.
// Built with `make fuzz` (clang); crashes, sanitizer reports and failed invariants are findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (const auto t = pasip::ParseIso(input)) {
    // Whatever parses must print and parse back to the same instant (within the second).
    const auto again = pasip::ParseIso(pasip::FormatIsoUtc(*t));
    if (!again || pasip::ToUnixSeconds(*again) != pasip::ToUnixSeconds(*t)) std::abort();
  }
  if (const auto bytes = pasip::crypto::Base32Decode(input)) {
    if (pasip::crypto::Base32Decode(pasip::crypto::Base32Encode(*bytes)) != *bytes) std::abort();
  }
  const bool valid = pasip::text::IsValidUtf8(input);
  if (valid && pasip::text::Utf8Length(input) > input.size()) std::abort();
  (void)pasip::text::LooksLikeEmail(input);
  (void)pasip::text::NormaliseEmail(input);
  return 0;
}
