#include "server/serve.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

#include "app/application.h"
#include "http/server.h"

namespace pasip::server {

int Serve(const app::Config& config) {
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  SystemClock clock;
  auto app = app::Application::Open(config, clock);
  if (!app) {
    std::fprintf(stderr, "pasip : %s\n", app.error().ToString().c_str());
    return 1;
  }
  const std::string static_dir = app::StaticDirectory(config);
  if (!std::filesystem::is_directory(static_dir)) {
    std::fprintf(stderr,
                 "pasip : fichiers statiques introuvables dans %s (lancez « make » ou réglez "
                 "server.static_dir)\n",
                 static_dir.c_str());
    return 1;
  }
  http::ServerOptions options = (*app)->ServerOptions();
  options.default_headers = app::SecurityHeaders();
  http::Server server(
      options, [&](http::Request& r) { return (*app)->Handle(r); },
      [&](const http::Exchange& e) { (*app)->Observe(e); });
  if (auto started = server.Start(); !started) {
    std::fprintf(stderr, "pasip : %s\n", started.error().ToString().c_str());
    return 1;
  }
  if (config.jobs) (*app)->worker().Start();
  const bool v6 = config.listen_host.find(':') != std::string::npos;
  std::printf("pasip écoute sur http://%s:%u (base : %s)\n",
              (v6 ? "[" + config.listen_host + "]" : config.listen_host).c_str(),
              static_cast<unsigned>(server.port()), (*app)->database().description().c_str());
  std::fflush(stdout);
  server.RunUntilSignal();
  (*app)->worker().Stop();
  std::printf("pasip arrêté.\n");
  return 0;
}

}  // namespace pasip::server
