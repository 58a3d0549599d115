// A bounded cache of parsed opening-hours strings, shared by the searches of one
// DirectoryService: a search evaluates the same few thousand strings again and again, and
// parsing costs far more than evaluating. Thread-safe; entries are immutable values.
#pragma once

#include <cstddef>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/openinghours/opening_hours.h"

namespace pasip::directory {

class HoursCache {
 public:
  explicit HoursCache(std::size_t capacity = 20000) : capacity_(capacity) {}

  // The parsed hours of `text`, or nullptr when it is empty or not valid opening_hours
  // (unknown hours). The object lives as long as the returned pointer is held. When the
  // cache is full an arbitrary entry makes room for the new one.
  std::shared_ptr<const openinghours::OpeningHours> Get(std::string_view text);

  std::size_t size() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, std::shared_ptr<const openinghours::OpeningHours>,
                                 Hash, std::equal_to<>>;

  const std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  Map entries_;  // nullptr values remember strings that do not parse
};

}  // namespace pasip::directory
