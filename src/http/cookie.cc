#include "http/cookie.h"

namespace pasip::http {

std::string SetCookieValue(const CookieSpec& c) {
  std::string out = c.name + "=" + c.value + "; Path=/";
  if (c.max_age) out += "; Max-Age=" + std::to_string(c.max_age->count());
  if (c.secure) out += "; Secure";
  if (c.http_only) out += "; HttpOnly";
  if (!c.same_site.empty()) out += "; SameSite=" + c.same_site;
  return out;
}

std::string ExpireCookieValue(std::string_view name, bool secure) {
  std::string out = std::string(name) + "=; Path=/; Max-Age=0";
  if (secure) out += "; Secure";
  out += "; HttpOnly; SameSite=Lax";
  return out;
}

}  // namespace pasip::http
