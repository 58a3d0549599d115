// Small, general text helpers (ASCII case, trimming, e-mail shape, escaping for logs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pasip::text {

std::string_view Trim(std::string_view s);
std::string AsciiLower(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
std::vector<std::string> Split(std::string_view s, char separator);
// A plausible address: one '@', non-empty local part, a dot in the domain, no spaces.
bool LooksLikeEmail(std::string_view s);
// Normalised e-mail for lookups: trimmed and lower case.
std::string NormaliseEmail(std::string_view s);
// Number of Unicode code points in a UTF-8 string (for length rules such as passwords).
std::size_t Utf8Length(std::string_view s);
bool IsValidUtf8(std::string_view s);

}  // namespace pasip::text
