// Micro-benchmarks of per-request work: routing, query parsing, policy, TOTP, password
// hashing (the deliberate cost of a sign-in). Run: build/bin/pasip_bench.
#include <benchmark/benchmark.h>

#include "core/crypto.h"
#include "domain/identity/policy.h"
#include "domain/identity/totp.h"
#include "http/message.h"
#include "http/router.h"

namespace {

using namespace pasip;

void BM_RouterFind(benchmark::State& state) {
  http::Router router;
  const char* patterns[] = {"/",
                            "/connexion",
                            "/tableau-de-bord",
                            "/admin/utilisateurs",
                            "/admin/utilisateurs/{id}",
                            "/admin/organisations/{id}",
                            "/api/v1/utilisateurs/{id}",
                            "/api/v1/organisations/{id}",
                            "/api/v1/sites/{id}"};
  for (const char* p : patterns) {
    router.Add(http::Method::kGet, p, http::RouteKind::kPage, "public",
               [](http::Request&) { return http::Response::NoContent(); });
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(router.Find(http::Method::kGet, "/api/v1/sites/12345"));
  }
}
BENCHMARK(BM_RouterFind);

void BM_FormParse(benchmark::State& state) {
  const std::string body =
      "csrf=abcdefghijklmnop&email=camille%40exemple.fr&q=h%C3%A9bergement+urgence&page=2";
  for (auto _ : state) benchmark::DoNotOptimize(http::FormData::Parse(body));
}
BENCHMARK(BM_FormParse);

void BM_Authorize(benchmark::State& state) {
  identity::Principal p;
  p.user_id = 1;
  p.memberships = {{1, identity::Role::kAccueil, {}}, {2, identity::Role::kCoordination, {}}};
  p.second_factor_verified = true;
  for (auto _ : state) {
    benchmark::DoNotOptimize(identity::Authorize(p, identity::Action::kOrganisationsRead, {3}));
  }
}
BENCHMARK(BM_Authorize);

void BM_TotpVerify(benchmark::State& state) {
  const std::string secret = identity::NewTotpSecret();
  const auto now = SystemClock().Now();
  const std::string code = identity::TotpCode(secret, now);
  for (auto _ : state) benchmark::DoNotOptimize(identity::VerifyTotp(secret, code, now));
}
BENCHMARK(BM_TotpVerify);

void BM_PasswordHash(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(crypto::HashPassword("un mot de passe long"));
}
BENCHMARK(BM_PasswordHash)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

int main(int argc, char** argv) {
  pasip::crypto::InitCrypto();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
