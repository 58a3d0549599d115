// Retention of person files (security.md S4) as the application runs it: the archive sink
// the purge hands exported files to, and the purge itself, shared by the daily job
// "reception.purge" and the `pasip purge` command.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "domain/reception/reception.h"

namespace pasip::app {

// Writes each bundle as one JSON file (the right-of-access export format, api::ToJson) in
// `directory`, created with mode 0700 when missing; files are mode 0600, written to a
// temporary name, flushed to disk, then renamed, so that the archives service never picks
// up half a file. Names are "personne-<id>-<UTC instant>.json" (a suffix when taken).
// Thread-safe (nothing shared between writes).
class DirectoryArchiveSink final : public reception::ArchiveSink {
 public:
  DirectoryArchiveSink(std::filesystem::path directory, const Clock& clock)
      : directory_(std::move(directory)), clock_(clock) {}
  // Fails with kUnavailable (French, naming the folder) when it cannot write.
  Result<std::string> Write(const reception::PersonExport& bundle) override;
  const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path directory_;
  const Clock& clock_;
};

// Runs the purge now with bundles going to `archives_dir`; audited as the system, with
// `request_id` ("purge-cli", "job-…") naming the run.
Result<reception::PurgeReport> PurgePersons(reception::ReceptionService& reception,
                                            const std::string& archives_dir, const Clock& clock,
                                            std::string_view request_id);

// "Purge : 2 dossiers anonymisés, 1 dossier exporté vers les archives (var/archives), 3 notes
// de transmission effacées."
std::string PurgeSummary(const reception::PurgeReport& report, const std::string& archives_dir);

}  // namespace pasip::app
