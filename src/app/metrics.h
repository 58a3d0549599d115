// Request metrics in the Prometheus text format: requests by route and status, a latency
// histogram by route, and the database pool's gauges. Route labels are patterns
// ("/api/v1/users/{id}"), never raw paths, so cardinality stays bounded.
//
// Thread-safe. Each server thread records into its own shard (an uncontended mutex), so
// counting never serialises the request threads; Render() merges the shards.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "storage/database.h"

namespace pasip::app {

class Metrics {
 public:
  Metrics();
  void Observe(const std::string& route, const std::string& method, int status,
               std::chrono::microseconds duration);
  // The text exposition, including `pools` (name → stats) as gauges.
  std::string Render(const std::map<std::string, storage::PoolStats>& pools) const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,  0.1,    0.25,  0.5,  1.0};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> counts{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Shard {
    std::mutex mutex;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests;
    std::map<std::string, Histogram> latency;
  };
  Shard& LocalShard();

  const std::uint64_t id_;  // distinguishes instances in the threads' shard tables
  mutable std::mutex shards_mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace pasip::app
