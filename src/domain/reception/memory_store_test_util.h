// In-memory implementation of the reception storage port, for domain and page tests. It
// follows ports.h as the SQL store does: a named passage makes its organisation follow the
// person and moves dernier_contact forward, kNotFound for unknown ids to update, ticket
// numbers per site and day, merges move every history, erasure detaches passages and
// tickets. Thread-safe (one mutex); every write is all or nothing because it runs under it.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/reception/ports.h"

namespace pasip::reception::testing {

class MemoryReceptionStore final : public ReceptionStore {
 public:
  // --- Passages.
  Result<Passage> CreatePassage(const Passage& passage) override {
    std::lock_guard lock(mutex_);
    if (passage.person_id && !persons_.contains(*passage.person_id)) {
      return Fail(InvalidArgument("Personne introuvable.", "personne"));
    }
    Passage stored = passage;
    stored.id = ++next_id_;
    passages_[stored.id] = stored;
    FollowAndTouch(stored);
    return stored;
  }

  Status UpdatePassage(const Passage& passage) override {
    std::lock_guard lock(mutex_);
    const auto it = passages_.find(passage.id);
    if (it == passages_.end()) return Fail(NotFound("Passage introuvable."));
    if (passage.person_id && !persons_.contains(*passage.person_id)) {
      return Fail(InvalidArgument("Personne introuvable.", "personne"));
    }
    Passage stored = passage;
    stored.created_by = it->second.created_by;
    stored.created_at = it->second.created_at;
    it->second = stored;
    FollowAndTouch(stored);
    return Ok();
  }

  Status DeletePassage(PassageId id) override {
    std::lock_guard lock(mutex_);
    if (passages_.erase(id) == 0) return Fail(NotFound("Passage introuvable."));
    for (auto& [ticket_id, t] : tickets_) {
      if (t.passage_id == id) t.passage_id.reset();
    }
    return Ok();
  }

  Result<std::optional<Passage>> FindPassage(PassageId id) override {
    std::lock_guard lock(mutex_);
    const auto it = passages_.find(id);
    if (it == passages_.end()) return std::optional<Passage>();
    return std::optional<Passage>(it->second);
  }

  Result<std::vector<Passage>> ListPassages(const PassageQuery& query) override {
    std::lock_guard lock(mutex_);
    std::optional<std::pair<TimePoint, PassageId>> cursor;
    if (query.before_id) {
      const auto it = passages_.find(*query.before_id);
      cursor = it != passages_.end() ? std::pair(it->second.debut, it->second.id)
                                     : std::pair(TimePoint::max(), *query.before_id);
    }
    std::vector<Passage> out;
    for (const auto& [id, p] : passages_) {
      if (!query.site_ids.empty() && !Contains(query.site_ids, p.site_id)) continue;
      if (!query.organisation_ids.empty() && !Contains(query.organisation_ids, p.organisation_id))
        continue;
      if (query.from && p.debut < *query.from) continue;
      if (query.to && p.debut >= *query.to) continue;
      if (query.person_id && p.person_id != query.person_id) continue;
      if (cursor && !(std::pair(p.debut, p.id) < *cursor)) continue;
      out.push_back(p);
    }
    std::sort(out.begin(), out.end(), [](const Passage& a, const Passage& b) {
      return std::pair(a.debut, a.id) > std::pair(b.debut, b.id);
    });
    if (static_cast<int>(out.size()) > query.limit) out.resize(std::max(query.limit, 0));
    return out;
  }

  Result<std::vector<MotifCount>> MotifFrequencies(SiteId site, TimePoint since) override {
    std::lock_guard lock(mutex_);
    std::map<std::string, std::int64_t> counts;
    for (const auto& [id, p] : passages_) {
      if (p.site_id != site || p.debut < since) continue;
      for (const std::string& m : p.motifs) counts[m] += p.nombre;
    }
    std::vector<MotifCount> out;
    for (const auto& [code, count] : counts) out.push_back({code, count});
    std::stable_sort(out.begin(), out.end(),
                     [](const MotifCount& a, const MotifCount& b) { return a.count > b.count; });
    return out;
  }

  // --- Persons.
  Result<Person> CreatePerson(const Person& person, std::span<const std::string> keys,
                              OrganisationId follower) override {
    std::lock_guard lock(mutex_);
    Person stored = person;
    stored.id = ++next_id_;
    persons_[stored.id] = stored;
    keys_[stored.id] = {keys.begin(), keys.end()};
    AddFollowLocked({stored.id, follower, "creation", stored.created_at});
    return stored;
  }

  Status UpdatePerson(const Person& person, std::span<const std::string> keys) override {
    std::lock_guard lock(mutex_);
    const auto it = persons_.find(person.id);
    if (it == persons_.end()) return Fail(NotFound("Personne introuvable."));
    it->second = person;
    keys_[person.id] = {keys.begin(), keys.end()};
    return Ok();
  }

  Result<std::optional<Person>> FindPerson(PersonId id) override {
    std::lock_guard lock(mutex_);
    const auto it = persons_.find(id);
    if (it == persons_.end()) return std::optional<Person>();
    return std::optional<Person>(it->second);
  }

  Status TouchPerson(PersonId id, TimePoint at) override {
    std::lock_guard lock(mutex_);
    const auto it = persons_.find(id);
    if (it == persons_.end()) return Fail(NotFound("Personne introuvable."));
    it->second.dernier_contact = std::max(it->second.dernier_contact, at);
    return Ok();
  }

  Result<std::vector<Follow>> FollowsOf(PersonId id) override {
    std::lock_guard lock(mutex_);
    std::vector<Follow> out;
    for (const Follow& f : follows_) {
      if (f.person_id == id) out.push_back(f);
    }
    return out;
  }

  Status AddFollow(const Follow& follow) override {
    std::lock_guard lock(mutex_);
    if (!persons_.contains(follow.person_id)) return Fail(NotFound("Personne introuvable."));
    AddFollowLocked(follow);
    return Ok();
  }

  Result<std::vector<KeyMatch>> FindByKeys(const KeyQuery& query) override {
    std::lock_guard lock(mutex_);
    std::vector<KeyMatch> out;
    for (const auto& [id, person] : persons_) {
      if (person.fusionnee_dans || query.exclude == id) continue;
      const bool followed = std::any_of(follows_.begin(), follows_.end(), [&](const Follow& f) {
        return f.person_id == id && Contains(query.organisation_ids, f.organisation_id);
      });
      if (!followed) continue;
      const std::set<std::string>& keys = keys_[id];
      int matched = 0;
      for (const std::string& k : query.keys) matched += keys.contains(k) ? 1 : 0;
      for (const std::string& prefix : query.prefixes) {
        const auto it = keys.lower_bound(prefix);
        if (it != keys.end() && it->starts_with(prefix)) ++matched;
      }
      if (matched > 0) out.push_back({person, matched});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const KeyMatch& a, const KeyMatch& b) { return a.matched > b.matched; });
    if (static_cast<int>(out.size()) > query.limit) out.resize(std::max(query.limit, 0));
    return out;
  }

  Result<std::int64_t> CountPersons() override {
    std::lock_guard lock(mutex_);
    return static_cast<std::int64_t>(std::count_if(
        persons_.begin(), persons_.end(), [](const auto& p) { return !p.second.fusionnee_dans; }));
  }

  // --- Merge.
  Status MergePersons(PersonId kept, PersonId absorbed, TimePoint at) override {
    std::lock_guard lock(mutex_);
    const auto k = persons_.find(kept);
    const auto a = persons_.find(absorbed);
    if (k == persons_.end() || a == persons_.end() || kept == absorbed) {
      return Fail(NotFound("Personne introuvable."));
    }
    for (auto& [id, p] : passages_) {
      if (p.person_id == absorbed) p.person_id = kept;
    }
    for (auto& [id, n] : notes_) {
      if (n.person_id == absorbed) n.person_id = kept;
    }
    for (auto& [id, c] : consents_) {
      if (c.person_id == absorbed) c.person_id = kept;
    }
    for (auto& [id, t] : tickets_) {
      if (t.person_id == absorbed) t.person_id = kept;
    }
    std::vector<Follow> moved;
    for (const Follow& f : follows_) {
      if (f.person_id == absorbed) moved.push_back({kept, f.organisation_id, "fusion", at});
    }
    std::erase_if(follows_, [&](const Follow& f) { return f.person_id == absorbed; });
    for (const Follow& f : moved) AddFollowLocked(f);
    Person& gone = a->second;
    Person cleared;
    cleared.id = gone.id;
    cleared.nom_affiche = "Dossier fusionné";
    cleared.created_at = gone.created_at;
    cleared.updated_at = at;
    cleared.dernier_contact = gone.dernier_contact;
    cleared.fusionnee_dans = kept;
    gone = cleared;
    keys_.erase(absorbed);
    merges_.push_back({kept, absorbed});
    return Ok();
  }

  Result<std::vector<PersonId>> MergedInto(PersonId kept) override {
    std::lock_guard lock(mutex_);
    std::vector<PersonId> out;
    for (const auto& [k, a] : merges_) {
      if (k == kept) out.push_back(a);
    }
    return out;
  }

  // --- Notes and consents.
  Result<Note> CreateNote(const Note& note) override {
    std::lock_guard lock(mutex_);
    if (!persons_.contains(note.person_id)) return Fail(NotFound("Personne introuvable."));
    Note stored = note;
    stored.id = ++next_id_;
    notes_[stored.id] = stored;
    return stored;
  }

  Result<std::vector<Note>> NotesOf(PersonId id) override {
    std::lock_guard lock(mutex_);
    std::vector<Note> out;
    for (const auto& [note_id, n] : notes_) {
      if (n.person_id == id) out.push_back(n);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Note& a, const Note& b) { return a.created_at < b.created_at; });
    return out;
  }

  Result<Consent> CreateConsent(const Consent& consent) override {
    std::lock_guard lock(mutex_);
    if (!persons_.contains(consent.person_id)) return Fail(NotFound("Personne introuvable."));
    Consent stored = consent;
    stored.id = ++next_id_;
    consents_[stored.id] = stored;
    return stored;
  }

  Result<std::vector<Consent>> ConsentsOf(PersonId id) override {
    std::lock_guard lock(mutex_);
    std::vector<Consent> out;
    for (const auto& [consent_id, c] : consents_) {
      if (c.person_id == id) out.push_back(c);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Consent& a, const Consent& b) { return a.date < b.date; });
    return out;
  }

  // --- Queue.
  Result<Ticket> CreateTicket(const Ticket& ticket) override {
    std::lock_guard lock(mutex_);
    Ticket stored = ticket;
    stored.id = ++next_id_;
    int highest = 0;
    for (const auto& [id, t] : tickets_) {
      if (t.site_id == ticket.site_id && t.jour == ticket.jour)
        highest = std::max(highest, t.numero);
    }
    stored.numero = highest + 1;
    tickets_[stored.id] = stored;
    return stored;
  }

  Status UpdateTicket(const Ticket& ticket) override {
    std::lock_guard lock(mutex_);
    const auto it = tickets_.find(ticket.id);
    if (it == tickets_.end()) return Fail(NotFound("Ticket introuvable."));
    it->second = ticket;
    return Ok();
  }

  Result<std::optional<Ticket>> FindTicket(TicketId id) override {
    std::lock_guard lock(mutex_);
    const auto it = tickets_.find(id);
    if (it == tickets_.end()) return std::optional<Ticket>();
    return std::optional<Ticket>(it->second);
  }

  Result<std::vector<Ticket>> ListTickets(const TicketQuery& query) override {
    std::lock_guard lock(mutex_);
    std::vector<Ticket> out;
    for (const auto& [id, t] : tickets_) {
      if (t.site_id != query.site_id) continue;
      if (!query.jour.empty()) {
        if (t.jour != query.jour) continue;
      } else {
        if (query.from_jour && t.jour < *query.from_jour) continue;
        if (query.to_jour && t.jour > *query.to_jour) continue;
      }
      out.push_back(t);
    }
    SortByArrival(out);
    return out;
  }

  Result<std::vector<Ticket>> TicketsOf(PersonId id) override {
    std::lock_guard lock(mutex_);
    std::vector<Ticket> out;
    for (const auto& [ticket_id, t] : tickets_) {
      if (t.person_id == id) out.push_back(t);
    }
    SortByArrival(out);
    return out;
  }

  Result<std::int64_t> ClearTicketNotes(std::string_view before_jour) override {
    std::lock_guard lock(mutex_);
    std::int64_t changed = 0;
    for (auto& [id, t] : tickets_) {
      if (t.jour < before_jour && !t.note_transmission.empty()) {
        t.note_transmission.clear();
        ++changed;
      }
    }
    return changed;
  }

  // --- Retention.
  Result<std::optional<RetentionSettings>> FindRetention(OrganisationId id) override {
    std::lock_guard lock(mutex_);
    const auto it = retention_.find(id);
    if (it == retention_.end()) return std::optional<RetentionSettings>();
    return std::optional<RetentionSettings>(it->second);
  }

  Status SaveRetention(const RetentionSettings& settings) override {
    std::lock_guard lock(mutex_);
    retention_[settings.organisation_id] = settings;
    return Ok();
  }

  Result<std::vector<Person>> InactiveSince(TimePoint before, int limit) override {
    std::lock_guard lock(mutex_);
    std::vector<Person> out;
    for (const auto& [id, p] : persons_) {
      if (!p.fusionnee_dans && p.dernier_contact < before) out.push_back(p);
    }
    std::stable_sort(out.begin(), out.end(), [](const Person& a, const Person& b) {
      return a.dernier_contact < b.dernier_contact;
    });
    if (static_cast<int>(out.size()) > limit) out.resize(std::max(limit, 0));
    return out;
  }

  Status ErasePerson(PersonId id, const PurgeLogEntry& log) override {
    std::lock_guard lock(mutex_);
    if (!persons_.contains(id)) return Fail(NotFound("Personne introuvable."));
    // The file and every file merged into it (transitively).
    std::vector<PersonId> gone = {id};
    for (std::size_t i = 0; i < gone.size(); ++i) {
      for (const auto& [pid, p] : persons_) {
        if (p.fusionnee_dans == gone[i]) gone.push_back(pid);
      }
    }
    for (PersonId g : gone) {
      persons_.erase(g);
      keys_.erase(g);
      std::erase_if(notes_, [&](const auto& n) { return n.second.person_id == g; });
      std::erase_if(consents_, [&](const auto& c) { return c.second.person_id == g; });
      std::erase_if(follows_, [&](const Follow& f) { return f.person_id == g; });
      std::erase_if(merges_, [&](const auto& m) { return m.first == g || m.second == g; });
      for (auto& [pid, p] : passages_) {
        if (p.person_id == g) {
          p.person_id.reset();
          p.note.clear();
        }
      }
      for (auto& [tid, t] : tickets_) {
        if (t.person_id == g) {
          t.person_id.reset();
          t.note_transmission.clear();
        }
      }
    }
    PurgeLogEntry entry = log;
    entry.id = ++next_id_;
    purge_log_.push_back(entry);
    return Ok();
  }

  // Newest first.
  Result<std::vector<PurgeLogEntry>> PurgeLog(int limit) override {
    std::lock_guard lock(mutex_);
    std::vector<PurgeLogEntry> out(purge_log_.rbegin(), purge_log_.rend());
    if (static_cast<int>(out.size()) > limit) out.resize(std::max(limit, 0));
    return out;
  }

  Result<PersonExport> ExportPerson(PersonId id) override {
    std::lock_guard lock(mutex_);
    const auto it = persons_.find(id);
    if (it == persons_.end()) return Fail(NotFound("Personne introuvable."));
    PersonExport out;
    out.person = it->second;
    for (const Follow& f : follows_) {
      if (f.person_id == id) out.follows.push_back(f);
    }
    for (const auto& [pid, p] : passages_) {
      if (p.person_id == id) out.passages.push_back(p);
    }
    for (const auto& [nid, n] : notes_) {
      if (n.person_id == id) out.notes.push_back(n);
    }
    for (const auto& [cid, c] : consents_) {
      if (c.person_id == id) out.consents.push_back(c);
    }
    for (const auto& [tid, t] : tickets_) {
      if (t.person_id == id) out.tickets.push_back(t);
    }
    SortByArrival(out.tickets);
    for (const auto& [k, a] : merges_) {
      if (k == id) out.merged_from.push_back(a);
    }
    return out;
  }

  // For tests: the keys stored beside a person.
  std::vector<std::string> KeysFor(PersonId id) {
    std::lock_guard lock(mutex_);
    const auto it = keys_.find(id);
    if (it == keys_.end()) return {};
    return {it->second.begin(), it->second.end()};
  }

 private:
  template <typename T>
  static bool Contains(const std::vector<T>& values, const T& value) {
    return std::find(values.begin(), values.end(), value) != values.end();
  }

  static void SortByArrival(std::vector<Ticket>& tickets) {
    std::stable_sort(tickets.begin(), tickets.end(), [](const Ticket& a, const Ticket& b) {
      return std::pair(a.arrivee, a.id) < std::pair(b.arrivee, b.id);
    });
  }

  void AddFollowLocked(const Follow& follow) {
    const bool already = std::any_of(follows_.begin(), follows_.end(), [&](const Follow& f) {
      return f.person_id == follow.person_id && f.organisation_id == follow.organisation_id;
    });
    if (!already) follows_.push_back(follow);
  }

  // The rule of named passages: the organisation follows the person, whose last contact
  // moves forward to the passage's start.
  void FollowAndTouch(const Passage& p) {
    if (!p.person_id) return;
    AddFollowLocked({*p.person_id, p.organisation_id, "passage", p.created_at});
    Person& person = persons_[*p.person_id];
    person.dernier_contact = std::max(person.dernier_contact, p.debut);
  }

  std::mutex mutex_;
  std::int64_t next_id_ = 0;
  std::map<PassageId, Passage> passages_;
  std::map<PersonId, Person> persons_;
  std::map<PersonId, std::set<std::string>> keys_;
  std::vector<Follow> follows_;
  std::vector<std::pair<PersonId, PersonId>> merges_;  // (kept, absorbed)
  std::map<NoteId, Note> notes_;
  std::map<ConsentId, Consent> consents_;
  std::map<TicketId, Ticket> tickets_;
  std::map<OrganisationId, RetentionSettings> retention_;
  std::vector<PurgeLogEntry> purge_log_;
};

}  // namespace pasip::reception::testing
