#include "domain/directory/hours_cache.h"

#include <mutex>

namespace pasip::directory {

std::shared_ptr<const openinghours::OpeningHours> HoursCache::Get(std::string_view text) {
  if (text.empty()) return nullptr;
  {
    std::shared_lock lock(mutex_);
    const auto it = entries_.find(text);
    if (it != entries_.end()) return it->second;
  }
  // Parse outside the lock: two threads may parse the same string once each, which is
  // cheaper than making every reader wait on a parse.
  auto parsed = openinghours::OpeningHours::Parse(text);
  std::shared_ptr<const openinghours::OpeningHours> value =
      parsed ? std::make_shared<const openinghours::OpeningHours>(std::move(*parsed)) : nullptr;
  std::unique_lock lock(mutex_);
  const auto it = entries_.find(text);
  if (it != entries_.end()) return it->second;
  if (entries_.size() >= capacity_ && !entries_.empty()) entries_.erase(entries_.begin());
  entries_.emplace(std::string(text), value);
  return value;
}

std::size_t HoursCache::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

}  // namespace pasip::directory
