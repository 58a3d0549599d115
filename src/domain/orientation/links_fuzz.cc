// libFuzzer harness for the partner-link tokens (security.md S13): VerifyLink never crashes
// on any input, and a token it accepts is the one SignLink makes for its claim.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "domain/orientation/links.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pasip;
  static const std::string key(32, 'k');
  static const TimePoint now = FromUnixSeconds(1'800'000'000);
  const std::string token(reinterpret_cast<const char*>(data), size);
  auto claim = orientation::VerifyLink(key, token, now);
  if (claim) {
    // Forging needs the key: the only accepted tokens are those the harness signed itself,
    // which random input cannot be; reaching here means a broken MAC check.
    std::abort();
  }
  // Signed tokens round-trip, whatever address and id the input gives.
  const std::int64_t id = 1 + static_cast<std::int64_t>(size);
  const std::string signed_token =
      orientation::SignLink(key, id, token, now + std::chrono::hours(1));
  auto again = orientation::VerifyLink(key, signed_token, now);
  if (!again || again->orientation_id != id ||
      again->address_hash != orientation::AddressHash(token)) {
    std::abort();
  }
  return 0;
}
