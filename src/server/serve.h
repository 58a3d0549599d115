// `pasip serve`: opens the application, starts the HTTP server and the job worker, prints
// the address, and runs until SIGINT/SIGTERM (graceful shutdown).
#pragma once

#include "app/config.h"

namespace pasip::server {

// Returns the process exit code.
int Serve(const app::Config& config);

}  // namespace pasip::server
