// libFuzzer harness for the parsers that see raw client input without the server around them:
// FormData::Parse (query strings and urlencoded bodies), DecodePath and Router::Find.
//
// Built only with clang. By hand, from the repository root:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     src/http/form_data_fuzz.cc src/http/message.cc src/http/router.cc \
//     src/core/text.cc src/core/error.cc -luriparser -o form_data_fuzz
//   mkdir -p /tmp/form_data_corpus && ./form_data_fuzz -max_total_time=30 /tmp/form_data_corpus
// Crashes, sanitizer reports and failed invariants (abort) are findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/text.h"
#include "http/message.h"
#include "http/router.h"

namespace {

using pasip::http::FormData;
using pasip::http::Method;
using pasip::http::Request;
using pasip::http::Response;
using pasip::http::RouteKind;
using pasip::http::Router;

void Check(bool condition) {
  if (!condition) std::abort();
}

const Router& TestRouter() {
  static const Router* router = [] {
    auto* r = new Router();
    auto ok = [](Request&) { return Response::NoContent(); };
    r->Add(Method::kGet, "/", RouteKind::kPage, "home", ok);
    r->Add(Method::kGet, "/users/new", RouteKind::kPage, "users.create", ok);
    r->Add(Method::kGet, "/users/{id}", RouteKind::kApi, "users.read", ok);
    r->Add(Method::kPost, "/users/{id}/files/{file}", RouteKind::kApi, "files.create", ok);
    r->Add(Method::kGet, "/{a}/b", RouteKind::kApi, "x", ok);
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto form = FormData::Parse(input);
  if (form) {
    for (const auto& [name, value] : form->pairs()) {
      Check(!name.empty());
      Check(pasip::text::IsValidUtf8(name) && pasip::text::IsValidUtf8(value));
      Check(name.find('\0') == std::string::npos && value.find('\0') == std::string::npos);
      Check(form->Get(name).has_value());
      Check(!form->GetAll(name).empty());
    }
  } else {
    Check(form.error().code == pasip::ErrorCode::kInvalidArgument);
  }

  auto path = pasip::http::DecodePath(input);
  if (path) Check(pasip::text::IsValidUtf8(*path) && path->find('\0') == std::string::npos);

  const Router& router = TestRouter();
  for (Method method : {Method::kGet, Method::kHead, Method::kPost}) {
    auto match = router.Find(method, input);
    if (match.route != nullptr) {
      Check(match.path_exists);
      for (const auto& [name, value] : match.params) Check(!value.empty());
    }
    Check(match.path_exists == !router.AllowedMethods(input).empty());
  }
  return 0;
}
