#include "http/static_files.h"

#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace pasip::http {
namespace {

std::string ContentTypeFor(std::string_view name) {
  const auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".woff2")) return "font/woff2";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

}  // namespace

Result<StaticFiles> StaticFiles::Load(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return Fail(Unavailable("Dossier des fichiers statiques introuvable : " + root.string()));
  }
  StaticFiles out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root, ec)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    out.Add(std::filesystem::relative(entry.path(), root).generic_string(), content.str());
  }
  return out;
}

void StaticFiles::Add(std::string name, std::string content) {
  File f;
  f.hash = crypto::ToHex(crypto::Sha256(content)).substr(0, 12);
  f.content_type = ContentTypeFor(name);
  f.content = std::move(content);
  files_[std::move(name)] = std::move(f);
}

std::string StaticFiles::Url(std::string_view name) const {
  const auto it = files_.find(name);
  if (it == files_.end()) return "/static/" + std::string(name);
  return "/static/" + it->second.hash + "/" + std::string(name);
}

Response StaticFiles::Serve(std::string_view path, std::string_view if_none_match) const {
  bool fingerprinted = false;
  std::string_view name = path;
  const std::size_t slash = path.find('/');
  if (slash == 12) {
    const auto it = files_.find(path.substr(13));
    if (it != files_.end() && it->second.hash == path.substr(0, 12)) {
      fingerprinted = true;
      name = path.substr(13);
    }
  }
  const auto it = files_.find(name);
  if (it == files_.end()) {
    return Response::Text(404, "Fichier introuvable.");
  }
  const std::string etag = "\"" + it->second.hash + "\"";
  Response r;
  r.SetHeader("ETag", etag);
  r.SetHeader("Cache-Control", fingerprinted ? "public, max-age=31536000, immutable"
                                             : "public, max-age=0, must-revalidate");
  if (if_none_match == etag) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.SetHeader("Content-Type", it->second.content_type);
  r.body = it->second.content;
  return r;
}

}  // namespace pasip::http
