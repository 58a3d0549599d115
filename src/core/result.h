// Result<T>: the value, or the Error explaining why there is none (tl::expected).
//
// Expected failures (bad input, missing record, refused access, unreachable database) are
// returned, never thrown. Status is Result<void>. PASIP_TRY propagates an error early.
#pragma once

#include <tl/expected.hpp>

#include "core/error.h"

namespace pasip {

template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }
inline Status Ok() { return {}; }

}  // namespace pasip

// Evaluates `expr` (a Result); returns its error from the enclosing function if it failed.
#define PASIP_TRY(expr)                                                      \
  do {                                                                       \
    auto&& pasip_try_result_ = (expr);                                       \
    if (!pasip_try_result_) return ::pasip::Fail(pasip_try_result_.error()); \
  } while (false)

// Declares `var` from a Result's value, or returns its error.
#define PASIP_ASSIGN_OR_RETURN(var, expr)                          \
  auto var##_result_ = (expr);                                     \
  if (!var##_result_) return ::pasip::Fail(var##_result_.error()); \
  auto var = std::move(*var##_result_)
