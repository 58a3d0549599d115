#include "app/archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "api/reception_json.h"

namespace pasip::app {
namespace {

// "20260304T090000Z": an instant usable in a file name.
std::string Compact(TimePoint t) {
  std::string iso = FormatIsoUtc(t);  // 2026-03-04T09:00:00Z
  std::string out;
  for (char c : iso) {
    if (c != '-' && c != ':') out += c;
  }
  return out;
}

Error Unwritable(const std::filesystem::path& path, int err) {
  return Unavailable("Archives : impossible d'écrire « " + path.string() +
                     " » : " + std::strerror(err) + ".");
}

// Writes `content` to a new file `path` (mode 0600, refusing an existing one) and syncs it.
Status WriteNewFile(const std::filesystem::path& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(Unwritable(path, errno));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return Fail(Unwritable(path, err));
    }
    written += static_cast<std::size_t>(n);
  }
  // The umask cannot widen 0600, but a group-writable default ACL could: be explicit.
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return Fail(Unwritable(path, err));
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return Fail(Unwritable(path, err));
  }
  return Ok();
}

}  // namespace

Result<std::string> DirectoryArchiveSink::Write(const reception::PersonExport& bundle) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory_, ec)) {
    std::filesystem::create_directories(directory_, ec);
    if (ec) return Fail(Unwritable(directory_, ec.value()));
    std::filesystem::permissions(directory_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
    if (ec) return Fail(Unwritable(directory_, ec.value()));
  }
  nlohmann::json j = api::ToJson(bundle);
  j["archive_le"] = FormatIsoUtc(clock_.Now());
  const std::string content =
      j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";

  const std::string stem =
      "personne-" + std::to_string(bundle.person.id) + "-" + Compact(clock_.Now());
  std::string name = stem + ".json";
  for (int i = 2; std::filesystem::exists(directory_ / name, ec); ++i) {
    name = stem + "-" + std::to_string(i) + ".json";
  }
  const std::filesystem::path final_path = directory_ / name;
  const std::filesystem::path temp_path = directory_ / ("." + name + ".tmp");
  std::filesystem::remove(temp_path, ec);  // left by a crash
  PASIP_TRY(WriteNewFile(temp_path, content));
  std::filesystem::rename(temp_path, final_path, ec);
  if (ec) {
    std::filesystem::remove(temp_path, ec);
    return Fail(Unwritable(final_path, ec.value()));
  }
  // The rename is durable once the folder is synced.
  if (const int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return name;
}

Result<reception::PurgeReport> PurgePersons(reception::ReceptionService& reception,
                                            const std::string& archives_dir, const Clock& clock,
                                            std::string_view request_id) {
  DirectoryArchiveSink sink(archives_dir, clock);
  const audit::Context system{0, std::string(request_id)};
  return reception.Purge(&sink, system);
}

std::string PurgeSummary(const reception::PurgeReport& report, const std::string& archives_dir) {
  const auto plural = [](std::int64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n > 1 ? many : one);
  };
  std::string out =
      "Purge : " + plural(report.anonymises, "dossier anonymisé", "dossiers anonymisés") + ", " +
      plural(report.exportes, "dossier exporté", "dossiers exportés") + " vers les archives";
  if (report.exportes > 0) out += " (" + archives_dir + ")";
  out += ", " +
         plural(report.notes_effacees, "note de transmission effacée",
                "notes de transmission effacées") +
         ".";
  return out;
}

}  // namespace pasip::app
