#include "app/metrics.h"

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

void Metrics::Observe(const std::string& route, const std::string& method, int status,
                      std::chrono::microseconds duration) {
  const double seconds = static_cast<double>(duration.count()) / 1e6;
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, status}];
  Histogram& h = latency_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render(const std::map<std::string, storage::PoolStats>& pools) const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
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
  out << "# HELP pasip_db_pool_connections Connexions ouvertes du pool.\n"
         "# TYPE pasip_db_pool_connections gauge\n";
  for (const auto& [name, s] : pools) {
    out << "pasip_db_pool_connections{pool=\"" << name << "\"} " << s.size << "\n";
  }
  out << "# HELP pasip_db_pool_in_use Connexions prêtées en ce moment.\n"
         "# TYPE pasip_db_pool_in_use gauge\n";
  for (const auto& [name, s] : pools) {
    out << "pasip_db_pool_in_use{pool=\"" << name << "\"} " << s.in_use << "\n";
  }
  out << "# HELP pasip_db_pool_capacity Connexions au plus.\n"
         "# TYPE pasip_db_pool_capacity gauge\n";
  for (const auto& [name, s] : pools) {
    out << "pasip_db_pool_capacity{pool=\"" << name << "\"} " << s.capacity << "\n";
  }
  out << "# HELP pasip_db_pool_waits_total Emprunts qui ont dû attendre une connexion.\n"
         "# TYPE pasip_db_pool_waits_total counter\n";
  for (const auto& [name, s] : pools) {
    out << "pasip_db_pool_waits_total{pool=\"" << name << "\"} " << s.waited_total << "\n";
  }
  return out.str();
}

}  // namespace pasip::app
