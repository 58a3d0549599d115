// A file compiled into the binary (templates, migrations, OpenAPI description), made by
// cmake/Embed.cmake. The views point to static storage and live as long as the program.
#pragma once

#include <string_view>
#include <vector>

namespace pasip {

struct EmbeddedFile {
  std::string_view path;  // relative to the embedded folder, with '/' separators
  std::string_view content;
};

}  // namespace pasip
