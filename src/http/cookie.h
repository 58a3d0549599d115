// Set-Cookie values. Session cookies use the `__Host-` prefix, which browsers accept only
// with Secure, Path=/ and no Domain: the cookie cannot be set or read by a sub-domain.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pasip::http {

// The session cookie (its value is a random token; the server stores only its SHA-256), and
// the pre-session anti-CSRF cookie that forms shown before sign-in echo (double submit).
inline constexpr char kSessionCookie[] = "__Host-pasip";
inline constexpr char kCsrfCookie[] = "__Host-pasip-csrf";

struct CookieSpec {
  std::string name;
  std::string value;
  bool http_only = true;
  bool secure = true;
  std::string same_site = "Lax";
  std::optional<std::chrono::seconds> max_age;  // none = until the browser closes
};

std::string SetCookieValue(const CookieSpec& cookie);
// A Set-Cookie value that deletes `name`.
std::string ExpireCookieValue(std::string_view name, bool secure = true);

}  // namespace pasip::http
