// Référentiels of the reception: the default catalogue of motives and acts, its TSV format,
// the fixed choice lists, ticket states and purge modes.
#include "domain/reception/model.h"

#include <algorithm>
#include <array>
#include <set>

#include "core/text.h"
#include "domain/directory/model.h"

namespace pasip::reception {
namespace {

// pasip's own motives: access to rights, then emergencies. They come first on the desk
// because they are what people most often come for.
struct DefaultItem {
  std::string_view code;
  std::string_view label;
  bool sensible;
};

constexpr DefaultItem kDroits[] = {
    {"droits--rsa", "RSA (revenu de solidarité active)", false},
    {"droits--prime-activite", "Prime d'activité", false},
    {"droits--css", "Complémentaire santé solidaire (CSS)", false},
    {"droits--aah", "AAH (allocation aux adultes handicapés)", true},
    {"droits--retraite-aspa", "Retraite et minimum vieillesse (ASPA)", false},
    {"droits--aides-logement", "Aides au logement (APL, ALS, ALF)", false},
    {"droits--prestations-familiales", "Prestations familiales", false},
    {"droits--chomage", "Chômage (France Travail)", false},
    {"droits--titre-sejour", "Titre de séjour", false},
    {"droits--domiciliation", "Domiciliation", false},
};

constexpr DefaultItem kEmergencies[] = {
    {"urgence--alimentaire", "Urgence alimentaire", false},
    {"urgence--hebergement", "Hébergement d'urgence", false},
    {"urgence--violences", "Violences", true},
    {"urgence--sante", "Urgence de santé", true},
};

// The twelve acts of the issue, in the order an agent thinks of them.
constexpr DefaultItem kActes[] = {
    {"ecoute", "Écoute", false},
    {"information", "Information", false},
    {"aide-demarches", "Aide aux démarches", false},
    {"aide-numerique", "Aide numérique", false},
    {"verification-droits", "Vérification des droits", false},
    {"ouverture-droit", "Instruction ou ouverture d'un droit", false},
    {"simulation-droits", "Simulation des droits", false},
    {"orientation-interne", "Orientation interne", false},
    {"orientation-externe", "Orientation externe", false},
    {"rendez-vous", "Rendez-vous pris", false},
    {"accompagnement-physique", "Accompagnement physique", false},
    {"aide-urgence", "Aide d'urgence", false},
};

// Directory thématiques about health, disability, violence or justice (security.md S7):
// the whole "sante" catégorie, and any thématique whose code names one of these subjects.
// "personne-dependante" (dependency: disability or old age) and "protection-financiere"
// (tutelle, curatelle: a judge's measure for an impaired adult) are included on purpose.
constexpr std::string_view kSensitiveCategories[] = {"sante", "handicap"};
constexpr std::string_view kSensitiveWords[] = {
    "violence", "justice",  "judiciaire",          "mdph",
    "invalid",  "handicap", "personne-dependante", "protection-financiere",
};

bool IsSensitiveThematique(std::string_view code) {
  const std::string_view categorie = directory::CategoryOf(code);
  for (std::string_view c : kSensitiveCategories) {
    if (categorie == c) return true;
  }
  for (std::string_view w : kSensitiveWords) {
    if (code.find(w) != std::string_view::npos) return true;
  }
  return false;
}

Catalogue BuildDefault() {
  Catalogue c;
  for (const DefaultItem& d : kDroits) {
    c.motifs.push_back({std::string(d.code), std::string(d.label), "droits", d.sensible});
  }
  for (const DefaultItem& d : kEmergencies) {
    c.motifs.push_back({std::string(d.code), std::string(d.label), "urgence", d.sensible});
  }
  for (const directory::RefValue& t : directory::Values(directory::Referentiel::kThematique)) {
    c.motifs.push_back({std::string(t.value), std::string(t.label),
                        std::string(directory::CategoryOf(t.value)),
                        IsSensitiveThematique(t.value)});
  }
  for (const DefaultItem& d : kActes) {
    c.actes.push_back({std::string(d.code), std::string(d.label), "", d.sensible});
  }
  return c;
}

const Item* FindItem(const std::vector<Item>& items, std::string_view code) {
  for (const Item& item : items) {
    if (item.code == code) return &item;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// TSV parsing.

constexpr std::size_t kMaxCatalogueBytes = 1'000'000;
constexpr std::size_t kMaxItemsPerKind = 1000;
constexpr std::size_t kMaxCode = 100;
constexpr std::size_t kMaxLabel = 200;

bool IsCode(std::string_view s) {
  return !s.empty() && s.size() <= kMaxCode && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

Error LineError(std::size_t line, std::string message) {
  return InvalidArgument("Ligne " + std::to_string(line) + " : " + message,
                         "ligne " + std::to_string(line));
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      cells.push_back(line.substr(start));
      return cells;
    }
    cells.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

// ---------------------------------------------------------------------------------------
// Fixed lists.

constexpr Choice kCanaux[] = {
    {"physique_sans_rdv", "Physique sans rendez-vous"},
    {"physique_rdv", "Physique sur rendez-vous"},
    {"telephone", "Téléphone"},
    {"courriel", "Courriel"},
    {"formulaire", "Formulaire en ligne"},
    {"visio", "Visioconférence"},
    {"domicile", "Visite à domicile"},
    {"itinerant", "Point itinérant"},
    {"aller_vers", "Aller-vers (hors les murs)"},
};
constexpr Choice kUrgences[] = {
    {"aucune", "Aucune"},
    {"urgente", "Urgente"},
    {"danger_immediat", "Danger immédiat"},
};
constexpr Choice kResultats[] = {
    {"reponse_immediate", "Réponse immédiate"},
    {"orientation", "Orientation"},
    {"suivi", "Suivi nécessaire"},
};
constexpr Choice kTranchesAge[] = {
    {"moins_18", "Moins de 18 ans"}, {"18_25", "18 à 25 ans"},      {"26_44", "26 à 44 ans"},
    {"45_64", "45 à 64 ans"},        {"65_plus", "65 ans et plus"},
};
constexpr Choice kSexes[] = {
    {"femme", "Femme"},
    {"homme", "Homme"},
    {"autre", "Autre"},
};
constexpr Choice kFoyers[] = {
    {"seul", "Personne seule"},       {"seul_enfants", "Parent seul avec enfants"},
    {"couple", "Couple sans enfant"}, {"couple_enfants", "Couple avec enfants"},
    {"autre", "Autre situation"},
};
constexpr Choice kNationalites[] = {
    {"francaise", "Française"},
    {"ue", "Union européenne"},
    {"hors_ue", "Hors Union européenne"},
};
constexpr Choice kVisibilites[] = {
    {"generale", "Générale (accueil et travailleurs sociaux)"},
    {"confidentielle", "Confidentielle (travailleurs sociaux)"},
    {"privee", "Privée (vous seul)"},
};
constexpr Choice kRelations[] = {
    {"conjoint", "Conjoint ou conjointe"},
    {"enfant", "Enfant"},
    {"parent", "Parent"},
    {"autre", "Autre"},
};

struct TicketStateInfo {
  TicketState state;
  std::string_view name;
  std::string_view label;
};
constexpr TicketStateInfo kTicketStates[] = {
    {TicketState::kWaiting, "attente", "En attente"},
    {TicketState::kCalled, "appele", "Appelé"},
    {TicketState::kHandedOff, "transmis", "Transmis à un travailleur social"},
    {TicketState::kWithSocial, "entretien", "En entretien"},
    {TicketState::kDone, "termine", "Terminé"},
    {TicketState::kNoShow, "absent", "Absent"},
};

}  // namespace

const Catalogue& Catalogue::Default() {
  static const Catalogue catalogue = BuildDefault();
  return catalogue;
}

const Item* Catalogue::Motif(std::string_view code) const { return FindItem(motifs, code); }

const Item* Catalogue::Acte(std::string_view code) const { return FindItem(actes, code); }

bool Catalogue::IsSensitiveMotif(std::string_view code) const {
  const Item* item = Motif(code);
  return item != nullptr && item->sensible;
}

Result<Catalogue> ParseCatalogue(std::string_view tsv) {
  if (tsv.size() > kMaxCatalogueBytes) {
    return Fail(InvalidArgument("Le fichier du catalogue est trop volumineux (1 Mo au plus).",
                                "catalogue"));
  }
  Catalogue out;
  std::set<std::string, std::less<>> motif_codes, acte_codes;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start <= tsv.size()) {
    const std::size_t end = std::min(tsv.find('\n', start), tsv.size());
    std::string_view line = tsv.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (text::Trim(line).empty() || line.front() == '#') continue;

    const std::vector<std::string_view> cells = SplitTabs(line);
    if (cells.size() != 5) {
      return Fail(LineError(number,
                            "5 colonnes séparées par des tabulations sont attendues "
                            "(type, code, libellé, groupe, sensible), " +
                                std::to_string(cells.size()) + " trouvée(s)."));
    }
    const std::string_view kind = text::Trim(cells[0]);
    const std::string_view code = text::Trim(cells[1]);
    const std::string_view label = text::Trim(cells[2]);
    const std::string_view groupe = text::Trim(cells[3]);
    const std::string_view sensible = text::Trim(cells[4]);
    if (kind != "motif" && kind != "acte") {
      return Fail(LineError(number, "le type doit être « motif » ou « acte »."));
    }
    if (!IsCode(code)) {
      return Fail(LineError(number,
                            "le code doit comporter de 1 à 100 caractères parmi les "
                            "lettres minuscules sans accent, les chiffres et le tiret."));
    }
    if (label.empty()) return Fail(LineError(number, "le libellé est vide."));
    if (!text::IsValidUtf8(label) || HasControlCharacter(label)) {
      return Fail(LineError(number, "le libellé contient des caractères invalides."));
    }
    if (text::Utf8Length(label) > kMaxLabel) {
      return Fail(LineError(number, "le libellé dépasse 200 caractères."));
    }
    if (!groupe.empty() && !IsCode(groupe)) {
      return Fail(LineError(number,
                            "le groupe doit comporter au plus 100 caractères parmi les "
                            "lettres minuscules sans accent, les chiffres et le tiret."));
    }
    if (sensible != "oui" && sensible != "non") {
      return Fail(LineError(number, "la colonne « sensible » doit valoir « oui » ou « non »."));
    }
    const bool is_motif = kind == "motif";
    auto& codes = is_motif ? motif_codes : acte_codes;
    auto& items = is_motif ? out.motifs : out.actes;
    if (!codes.insert(std::string(code)).second) {
      return Fail(
          LineError(number, "le code « " + std::string(code) + " » figure déjà plus haut."));
    }
    if (items.size() >= kMaxItemsPerKind) {
      return Fail(LineError(number, "trop de valeurs (1 000 motifs et 1 000 actes au plus)."));
    }
    // A deployment may add sensitive motives, never make a default sensitive one searchable.
    const bool sensitive =
        sensible == "oui" || (is_motif && Catalogue::Default().IsSensitiveMotif(code));
    items.push_back({std::string(code), std::string(label), std::string(groupe), sensitive});
  }
  if (out.motifs.empty()) out.motifs = Catalogue::Default().motifs;
  if (out.actes.empty()) out.actes = Catalogue::Default().actes;
  return out;
}

std::span<const Choice> Canaux() { return kCanaux; }
std::span<const Choice> Urgences() { return kUrgences; }
std::span<const Choice> Resultats() { return kResultats; }
std::span<const Choice> TranchesAge() { return kTranchesAge; }
std::span<const Choice> Sexes() { return kSexes; }
std::span<const Choice> Foyers() { return kFoyers; }
std::span<const Choice> Nationalites() { return kNationalites; }
std::span<const Choice> Visibilites() { return kVisibilites; }
std::span<const Choice> Relations() { return kRelations; }

std::string_view LabelOf(std::span<const Choice> choices, std::string_view code) {
  for (const Choice& c : choices) {
    if (c.code == code) return c.label;
  }
  return {};
}

bool IsChoice(std::span<const Choice> choices, std::string_view code) {
  return std::any_of(choices.begin(), choices.end(),
                     [&](const Choice& c) { return c.code == code; });
}

std::string_view TicketStateName(TicketState s) {
  for (const TicketStateInfo& info : kTicketStates) {
    if (info.state == s) return info.name;
  }
  return {};
}

std::string_view TicketStateLabel(TicketState s) {
  for (const TicketStateInfo& info : kTicketStates) {
    if (info.state == s) return info.label;
  }
  return {};
}

std::optional<TicketState> ParseTicketState(std::string_view name) {
  for (const TicketStateInfo& info : kTicketStates) {
    if (info.name == name) return info.state;
  }
  return std::nullopt;
}

std::string_view PurgeModeName(PurgeMode m) {
  return m == PurgeMode::kExport ? "export" : "anonymisation";
}

std::optional<PurgeMode> ParsePurgeMode(std::string_view name) {
  if (name == "anonymisation") return PurgeMode::kAnonymise;
  if (name == "export") return PurgeMode::kExport;
  return std::nullopt;
}

}  // namespace pasip::reception
