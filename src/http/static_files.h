// Static assets (CSS, JavaScript, images) served from memory with ETags.
//
// Every file of the folder is loaded at start and fingerprinted (first 12 hex digits of its
// SHA-256). Pages link to Url("css/pasip.css") = "/static/<hash>/css/pasip.css", served
// with a one-year immutable cache; "/static/css/pasip.css" is also served, revalidated by
// ETag. Read-only after loading: thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace pasip::http {

class StaticFiles {
 public:
  // Loads every regular file below `root`. Fails with kUnavailable when `root` is missing.
  static Result<StaticFiles> Load(const std::filesystem::path& root);
  StaticFiles() = default;

  // "/static/<hash>/<name>", or "/static/<name>" when the file is unknown.
  std::string Url(std::string_view name) const;
  // Answers GET/HEAD for `path` below /static/ (the part after "/static/"): 200, 304 when
  // If-None-Match matches, 404 when unknown.
  Response Serve(std::string_view path, std::string_view if_none_match) const;
  // Adds a file built in memory (e.g. the deployment's theme stylesheet).
  void Add(std::string name, std::string content);
  std::size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string content;
    std::string content_type;
    std::string hash;
  };
  std::map<std::string, File, std::less<>> files_;
};

}  // namespace pasip::http
