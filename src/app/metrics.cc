#include "app/metrics.h"

#include <atomic>
#include <cstdio>
#include <sstream>

namespace pasip::app {
namespace {
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

Metrics::Metrics()
    : id_([] {
        static std::atomic<std::uint64_t> next{0};
        return ++next;
      }()) {}

Metrics::Shard& Metrics::LocalShard() {
  // One table per thread: instance id → its shard. Entries of destroyed instances stay
  // (a few bytes) and are never looked up again since ids are not reused.
  thread_local std::map<std::uint64_t, Shard*> table;
  Shard*& shard = table[id_];
  if (shard == nullptr) {
    std::lock_guard lock(shards_mutex_);
    shards_.push_back(std::make_unique<Shard>());
    shard = shards_.back().get();
  }
  return *shard;
}

void Metrics::Observe(const std::string& route, const std::string& method, int status,
                      std::chrono::microseconds duration) {
  const double seconds = static_cast<double>(duration.count()) / 1e6;
  Shard& shard = LocalShard();
  std::lock_guard lock(shard.mutex);
  ++shard.requests[{route, method, status}];
  Histogram& h = shard.latency[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render(const std::map<std::string, storage::PoolStats>& pools) const {
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  {
    std::lock_guard lock(shards_mutex_);
    for (const auto& shard : shards_) {
      std::lock_guard shard_lock(shard->mutex);
      for (const auto& [key, n] : shard->requests) requests_[key] += n;
      for (const auto& [route, h] : shard->latency) {
        Histogram& total = latency_[route];
        for (std::size_t i = 0; i < kBuckets.size(); ++i) total.counts[i] += h.counts[i];
        total.count += h.count;
        total.sum += h.sum;
      }
    }
  }
  std::ostringstream out;
  out << "# HELP pasip_http_requests_total Requêtes HTTP traitées, par route et statut.\n"
         "# TYPE pasip_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out << "pasip_http_requests_total{route=\"" << Label(route) << "\",method=\"" << method
        << "\",status=\"" << status << "\"} " << n << "\n";
  }
  out << "# HELP pasip_http_request_duration_seconds Durée de traitement des requêtes.\n"
         "# TYPE pasip_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const std::string label = Label(route);
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[i]);
      out << "pasip_http_request_duration_seconds_bucket{route=\"" << label << "\",le=\"" << le
          << "\"} " << h.counts[i] << "\n";
    }
    out << "pasip_http_request_duration_seconds_bucket{route=\"" << label << "\",le=\"+Inf\"} "
        << h.count << "\n";
    out << "pasip_http_request_duration_seconds_sum{route=\"" << label << "\"} " << h.sum << "\n";
    out << "pasip_http_request_duration_seconds_count{route=\"" << label << "\"} " << h.count
        << "\n";
  }
  struct PoolMetric {
    const char* name;
    const char* type;
    const char* help;
    std::uint64_t (*value)(const storage::PoolStats&);
  };
  static constexpr PoolMetric kPoolMetrics[] = {
      {"pasip_db_pool_connections", "gauge", "Connexions ouvertes du pool.",
       [](const storage::PoolStats& s) -> std::uint64_t { return s.size; }},
      {"pasip_db_pool_in_use", "gauge", "Connexions prêtées en ce moment.",
       [](const storage::PoolStats& s) -> std::uint64_t { return s.in_use; }},
      {"pasip_db_pool_capacity", "gauge", "Connexions au plus.",
       [](const storage::PoolStats& s) -> std::uint64_t { return s.capacity; }},
      {"pasip_db_pool_waits_total", "counter", "Emprunts qui ont dû attendre une connexion.",
       [](const storage::PoolStats& s) -> std::uint64_t { return s.waited_total; }},
  };
  for (const PoolMetric& metric : kPoolMetrics) {
    out << "# HELP " << metric.name << " " << metric.help << "\n# TYPE " << metric.name << " "
        << metric.type << "\n";
    for (const auto& [name, stats] : pools) {
      out << metric.name << "{pool=\"" << name << "\"} " << metric.value(stats) << "\n";
    }
  }
  return out.str();
}

}  // namespace pasip::app
