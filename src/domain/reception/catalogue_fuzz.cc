#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/reception/model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed =
      pasip::reception::ParseCatalogue(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)parsed;
  return 0;
}
