// The directory's reading pages: the finder ("Où être accueilli ?", on the home page and at
// /annuaire) with its results, map and pages, the commune suggestions of its combobox, and the
// page of a structure. Anyone may read; signed-in professionals get the professional view
// (referents, unpublished records, freshness) and, when allowed, the links to edit.
#include <algorithm>
#include <cmath>
#include <set>

#include "core/french.h"
#include "core/text.h"
#include "domain/directory/directory.h"
#include "domain/territory/model.h"
#include "web/directory_format.h"
#include "web/map_svg.h"
#include "web/pages.h"

namespace pasip::web {
namespace {

using directory::Referentiel;
using identity::Action;

constexpr int kPageSize = 10;
constexpr int kSuggestions = 8;
constexpr std::string_view kRadiuses[] = {"5", "10", "20", "30", "50", "100"};
constexpr std::string_view kDefaultRadius = "30";

// Confirmations of the directory's forms, named by `fait` (see NoticeFromQuery).
struct DirectoryNotice {
  std::string_view code;
  std::string_view message;
};
constexpr DirectoryNotice kDirectoryNotices[] = {
    {"service-cree", "C'est enregistré : le service a été ajouté à la fiche."},
    {"service-supprime", "Le service a été supprimé."},
};

std::string NoticeOf(const Request& request) {
  const std::string code = request.query.GetOr("fait");
  for (const DirectoryNotice& n : kDirectoryNotices) {
    if (n.code == code) return std::string(n.message);
  }
  return NoticeFromQuery(request);
}

Data Strings(const std::vector<std::string>& values) {
  Data list = List();
  for (const std::string& v : values) list.push_back(Text(v));
  return list;
}

std::string Join(const std::vector<std::string>& values, std::string_view separator = ", ") {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += separator;
    out += v;
  }
  return out;
}

std::vector<std::string> Labels(Referentiel r, const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) out.emplace_back(directory::Label(r, v));
  return out;
}

void SetOptional(Data& d, const std::string& key, const std::optional<std::string>& value) {
  const bool present = value.has_value() && !text::Trim(*value).empty();
  d.set("has_" + key, present);
  d.set(key, present ? *value : std::string());
}

std::string AssetUrl(const PageContext& c, std::string_view name) {
  const Options& options = c.renderer.options();
  if (options.assets != nullptr) return options.assets->Url(name);
  return "/static/" + std::string(name);
}

std::string StructureHref(directory::StructureId id) {
  return "/annuaire/structures/" + std::to_string(id);
}

// ---- Communes: the label shown, suggestions, and resolution of what was typed ----

// "Rennes (35000)", or "Rennes (35)" when the postcodes are unknown.
std::string CommuneLabel(const territory::Commune& commune) {
  return commune.name + " (" +
         (commune.codes_postaux.empty() ? commune.departement : commune.codes_postaux.front()) +
         ")";
}

// "35000, 35200, 35700 · Ille-et-Vilaine".
std::string CommuneDetail(const territory::Commune& commune) {
  std::string out = Join(commune.codes_postaux);
  const std::string_view departement = territory::DepartementName(commune.departement);
  if (!out.empty()) out += " · ";
  out += departement.empty() ? "département " + commune.departement : std::string(departement);
  return out;
}

struct CommuneChoice {
  std::optional<territory::Commune> commune;   // resolved
  std::vector<territory::Commune> candidates;  // several possible, or suggestions
  bool ambiguous = false;                      // several communes match exactly
};

// What the person typed ("Rennes", "rennes (35000)", "35000", "35238") read as one commune.
// A postcode shared by several communes, or a name several communes bear, is ambiguous; a
// beginning that fits only one commune is that commune; otherwise suggestions are given.
Result<CommuneChoice> ResolveCommune(territory::TerritoryStore& territory, std::string_view typed,
                                     std::string_view chosen_code) {
  CommuneChoice choice;
  std::string name(text::Trim(typed));
  std::string hint;  // what was in parentheses: a postcode or a département
  if (const std::size_t open = name.rfind('(');
      open != std::string::npos && !name.empty() && name.back() == ')') {
    hint = std::string(text::Trim(std::string_view(name).substr(open + 1, name.size() - open - 2)));
    name = std::string(text::Trim(std::string_view(name).substr(0, open)));
  }
  // The suggestion chosen, unless the text was changed since (without script the code stays
  // in the form while the person types another commune).
  if (!chosen_code.empty() && territory::IsInseeCode(chosen_code)) {
    PASIP_ASSIGN_OR_RETURN(found, territory.FindCommune(chosen_code));
    if (found && (name.empty() || text::FoldForPrefix(found->name) == text::FoldForPrefix(name) ||
                  found->code == name ||
                  std::find(found->codes_postaux.begin(), found->codes_postaux.end(), name) !=
                      found->codes_postaux.end())) {
      choice.commune = std::move(*found);
      return choice;
    }
  }
  if (name.empty()) return choice;
  const bool digits = std::all_of(name.begin(), name.end(),
                                  [](char ch) { return (ch >= '0' && ch <= '9') || ch == ' '; });
  if (digits) name.erase(std::remove(name.begin(), name.end(), ' '), name.end());
  // A postcode may serve a few dozen communes.
  PASIP_ASSIGN_OR_RETURN(candidates, territory.SearchCommunes(name, digits ? 60 : 20));
  std::vector<territory::Commune> exact;
  const std::string folded = text::FoldForPrefix(name);
  for (const territory::Commune& c : candidates) {
    bool match = false;
    if (digits) {
      match = c.code == name || std::find(c.codes_postaux.begin(), c.codes_postaux.end(), name) !=
                                    c.codes_postaux.end();
    } else {
      match = text::FoldForPrefix(c.name) == folded;
      if (match && !hint.empty()) {
        match = c.departement == hint || std::find(c.codes_postaux.begin(), c.codes_postaux.end(),
                                                   hint) != c.codes_postaux.end();
      }
    }
    if (match) exact.push_back(c);
  }
  if (exact.size() == 1) {
    choice.commune = exact.front();
  } else if (exact.size() > 1) {
    choice.ambiguous = true;
    choice.candidates = std::move(exact);
  } else if (candidates.size() == 1) {
    choice.commune = candidates.front();
  } else {
    if (candidates.size() > static_cast<std::size_t>(kSuggestions)) candidates.resize(kSuggestions);
    choice.candidates = std::move(candidates);
  }
  return choice;
}

// GET /annuaire/communes?q=…: the suggestions of the commune combobox (web/js/combobox.js),
// as a list the script turns into options. Without script, the finder resolves the text.
Response CommuneSuggestions(PageContext& c, Request& request) {
  const std::string typed(text::Trim(request.query.GetOr("q")));
  Data d = Object();
  Data list = List();
  if (text::Utf8Length(typed) >= 2 && typed.size() <= 100) {
    auto found = c.services.territory.SearchCommunes(typed, kSuggestions);
    if (!found) return ErrorResponse(c, request, found.error());
    for (const territory::Commune& commune : *found) {
      Data item = Object();
      item.set("code", commune.code);
      item.set("name", commune.name);
      item.set("label", CommuneLabel(commune));
      item.set("detail", CommuneDetail(commune));
      list.push_back(item);
    }
  }
  d.set("communes", list);
  Response response = Response::Html(200, c.renderer.Render("commune_suggestions", std::move(d)));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

// ---- The finder ----

struct FinderParams {
  std::string commune;  // as typed (or the label of the suggestion chosen)
  std::string code;     // INSEE code of the suggestion chosen
  std::string categorie;
  std::string rayon = std::string(kDefaultRadius);
  std::string q;
  bool ouvert = false;
  bool services = false;  // professional view: list services rather than places
  std::string apres;
  int debut = 0;  // results shown on the previous pages (for the numbering)
  bool searched = false;
};

FinderParams FinderParamsOf(const Request& request) {
  FinderParams p;
  const http::FormData& query = request.query;
  p.commune = std::string(text::Trim(query.GetOr("commune")));
  p.code = std::string(text::Trim(query.GetOr("code")));
  p.categorie = query.GetOr("categorie");
  if (query.Has("rayon")) p.rayon = query.GetOr("rayon");
  p.q = std::string(text::Trim(query.GetOr("q")));
  p.ouvert = query.Has("ouvert");
  p.services = query.GetOr("vue") == "services";
  p.apres = query.GetOr("apres");
  if (auto debut = ParseId(query.GetOr("debut")); debut && *debut < 100000) {
    p.debut = static_cast<int>(*debut);
  }
  for (const char* name : {"commune", "code", "categorie", "rayon", "q", "ouvert", "vue"}) {
    p.searched = p.searched || query.Has(name);
  }
  return p;
}

// The finder's URL for `p` (a page's link, a widened search).
std::string FinderHref(const FinderParams& p) {
  std::string out = "/annuaire?commune=" + UrlEncode(p.commune);
  if (!p.code.empty()) out += "&code=" + UrlEncode(p.code);
  out += "&categorie=" + UrlEncode(p.categorie) + "&rayon=" + UrlEncode(p.rayon);
  if (!p.q.empty()) out += "&q=" + UrlEncode(p.q);
  if (p.ouvert) out += "&ouvert=1";
  if (p.services) out += "&vue=services";
  if (!p.apres.empty()) out += "&apres=" + UrlEncode(p.apres) + "&debut=" + std::to_string(p.debut);
  return out;
}

std::vector<Option> CategoryOptions() {
  std::vector<Option> options;
  for (const directory::RefValue& v : directory::Values(Referentiel::kCategorie)) {
    options.push_back({std::string(v.value), std::string(v.label)});
  }
  return options;
}

std::vector<Option> RadiusOptions() {
  std::vector<Option> options;
  for (std::string_view r : kRadiuses) {
    options.push_back({std::string(r), "Jusqu'à " + std::string(r) + " km"});
  }
  return options;
}

Data FinderForm(const PageContext& c, const FinderParams& p, const FormErrors& errors,
                bool professional) {
  Data d = Object();
  d.set("commune",
        Field({.name = "commune",
               .label = "Commune ou code postal",
               .value = p.commune,
               .autocomplete = "off",
               .hint = "Par exemple Rennes, ou 35000. Des propositions s'affichent pendant que "
                       "vous tapez ; vous pouvez aussi écrire le nom en entier."},
              errors));
  d.set("code", p.code);
  d.set("categorie", Select({.name = "categorie",
                             .label = "Votre besoin",
                             .options = CategoryOptions(),
                             .selected = {p.categorie},
                             .empty_label = "Tous les besoins"},
                            errors));
  d.set("rayon", Select({.name = "rayon",
                         .label = "Distance",
                         .options = RadiusOptions(),
                         .selected = {p.rayon},
                         .hint = "Autour du centre de la commune."},
                        errors));
  d.set("q", Field({.name = "q",
                    .label = "Mots-clés (facultatif)",
                    .value = p.q,
                    .type = "search",
                    .hint = "Par exemple : logement, retraite, aide alimentaire, Caf."},
                   errors));
  d.set("ouvert", Checkbox("ouvert", "Seulement les lieux ouverts maintenant", p.ouvert));
  d.set("professional", professional);
  d.set("vue", Select({.name = "vue",
                       .label = "Afficher",
                       .options = {{"lieux", "Les lieux"}, {"services", "Les services"}},
                       .selected = {p.services ? "services" : "lieux"}},
                      errors));
  d.set("js_combobox", AssetUrl(c, "js/combobox.js"));
  return d;
}

// One result of the list: what a person needs to choose where to go.
Data ResultItem(const directory::Hit& hit, int number, TimePoint now) {
  Data item = Object();
  const directory::Structure& s = *hit.structure;
  item.set("number", std::to_string(number));
  const bool is_service = hit.service.has_value();
  item.set("is_service", is_service);
  item.set("name", is_service ? hit.service->nom : s.nom);
  item.set("structure_name", s.nom);
  item.set("href", is_service ? StructureHref(s.id) + "#service-" + std::to_string(hit.service->id)
                              : StructureHref(s.id));
  item.set("has_distance", hit.distance_km.has_value());
  item.set("distance", hit.distance_km ? FormatDistanceFr(*hit.distance_km) : std::string());
  const bool stop = hit.lieu && hit.lieu->itinerant;
  const bool elsewhere = hit.lieu && !hit.lieu->itinerant && !hit.lieu->lieu.empty();
  item.set("is_stop", stop);
  item.set("is_elsewhere", elsewhere);
  item.set("lieu", hit.lieu ? hit.lieu->lieu : std::string());

  const HoursState state =
      StateOfSearch(hit.ouverture.etat, hit.ouverture.prochain, hit.ouverture.aujourdhui, now);
  item.set("open", state.kind == HoursState::Kind::kOpen);
  item.set("closed", state.kind == HoursState::Kind::kClosed);
  item.set("state", state.label);
  item.set("has_change", !state.next.empty());
  item.set("change", state.next);
  item.set("has_today", !state.today.empty());
  item.set("today", state.today);

  std::string address;
  if (s.adresse) address = *s.adresse;
  std::string town = Join({s.code_postal.value_or(""), s.commune.value_or("")}, " ");
  town = std::string(text::Trim(town));
  if (!town.empty()) address += (address.empty() ? "" : ", ") + town;
  item.set("has_address", !address.empty() && !stop);
  item.set("address", address);

  const std::vector<std::string> channels =
      ChannelsFr(s.label, is_service ? hit.service->modes_accueil : std::vector<std::string>{});
  item.set("has_channels", !channels.empty());
  item.set("channels", Join(channels));
  const std::optional<std::string>& phone =
      is_service && hit.service->telephone ? hit.service->telephone : s.telephone;
  SetOptional(item, "telephone", phone);
  item.set("tel_href", phone ? "tel:" + TelHref(*phone) : std::string());
  const std::vector<std::string> access = AccessibilityFr(s.accessibilite);
  item.set("has_accessibility", !access.empty());
  item.set("accessibility", Strings(access));
  item.set("label_pasip", s.label.Complete());
  if (is_service) {
    const std::vector<std::string> themes =
        Labels(Referentiel::kThematique, hit.service->thematiques);
    item.set("has_themes", !themes.empty());
    item.set("themes", Join(themes));
  } else {
    item.set("has_themes", false);
    item.set("themes", "");
  }
  return item;
}

// "12 lieux à moins de 30 km de Rennes", "1 service ouvert maintenant".
std::string ResultSummary(const FinderParams& p, std::int64_t total,
                          const std::optional<territory::Commune>& commune) {
  const bool plural = total > 1;
  std::string out = std::to_string(total) + " " +
                    (p.services ? (plural ? "services" : "service") : (plural ? "lieux" : "lieu"));
  if (p.ouvert) {
    out += plural ? " ouverts maintenant" : " ouvert maintenant";
  } else {
    out += plural ? " trouvés" : " trouvé";
  }
  if (commune) out += " à moins de " + p.rayon + " km de " + commune->name;
  return out;
}

// Suggestions when nothing was found: a wider radius, fewer filters.
Data Widenings(const FinderParams& p, bool located) {
  Data list = List();
  auto add = [&](std::string label, FinderParams changed) {
    changed.apres.clear();
    changed.debut = 0;
    Data item = Object();
    item.set("label", std::move(label));
    item.set("href", FinderHref(changed));
    list.push_back(item);
  };
  if (located) {
    for (std::string_view r : kRadiuses) {
      if (std::stoi(std::string(r)) > std::stoi(p.rayon)) {
        FinderParams wider = p;
        wider.rayon = std::string(r);
        add("Chercher jusqu'à " + std::string(r) + " km", wider);
        break;
      }
    }
  }
  if (p.ouvert) {
    FinderParams all = p;
    all.ouvert = false;
    add("Montrer aussi les lieux fermés en ce moment", all);
  }
  if (!p.categorie.empty()) {
    FinderParams all = p;
    all.categorie.clear();
    add("Chercher pour tous les besoins", all);
  }
  if (!p.q.empty()) {
    FinderParams all = p;
    all.q.clear();
    add("Chercher sans les mots-clés", all);
  }
  return list;
}

Response Finder(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const directory::View view = directory::ViewFor(caller.principal);
  const bool professional = view == directory::View::kProfessional;
  FinderParams p = FinderParamsOf(request);
  if (!professional) p.services = false;
  const TimePoint now = c.services.clock.Now();
  FormErrors errors;
  Data d = Object();
  d.set("searched", false);
  d.set("ambiguous", false);
  d.set("has_suggestions", false);
  d.set("candidates", List());
  d.set("has_unlocated", false);
  d.set("unlocated", "");

  if (std::find(std::begin(kRadiuses), std::end(kRadiuses), p.rayon) == std::end(kRadiuses)) {
    errors.Add("rayon", "Choisissez une distance dans la liste.");
    p.rayon = std::string(kDefaultRadius);
  }
  if (!p.categorie.empty() && !directory::IsValid(Referentiel::kCategorie, p.categorie)) {
    errors.Add("categorie", "Choisissez un besoin dans la liste.");
  }

  std::optional<territory::Commune> commune;
  if (p.searched && (!p.commune.empty() || !p.code.empty())) {
    auto choice = ResolveCommune(c.services.territory, p.commune, p.code);
    if (!choice) return ErrorResponse(c, request, choice.error());
    if (choice->commune) {
      commune = choice->commune;
      p.code = commune->code;
    } else {
      p.code.clear();
      Data candidates = List();
      for (const territory::Commune& candidate : choice->candidates) {
        FinderParams chosen = p;
        chosen.commune = CommuneLabel(candidate);
        chosen.code = candidate.code;
        chosen.apres.clear();
        chosen.debut = 0;
        Data item = Object();
        item.set("label", candidate.name);
        item.set("detail", CommuneDetail(candidate));
        item.set("href", FinderHref(chosen));
        candidates.push_back(item);
      }
      d.set("candidates", candidates);
      if (choice->ambiguous) {
        d.set("ambiguous", true);
        errors.Add("commune", "Plusieurs communes correspondent à « " + p.commune +
                                  " » : choisissez la vôtre dans la liste ci-dessous.");
      } else {
        d.set("has_suggestions", !choice->candidates.empty());
        errors.Add("commune", "Nous ne trouvons pas la commune « " + p.commune +
                                  " ». Vérifiez l'orthographe, ou saisissez son code postal.");
      }
    }
  }

  if (p.searched && errors.empty()) {
    directory::SearchQuery query;
    query.entity = p.services ? directory::Entity::kService : directory::Entity::kStructure;
    query.q = p.q;
    if (!p.categorie.empty()) query.categories = {p.categorie};
    if (p.ouvert) query.ouvert_a = now;
    if (commune) {
      query.commune = commune->code;
      query.rayon_km = std::stod(p.rayon);
    }
    query.limite = kPageSize;
    query.apres = p.apres;
    auto page = c.services.directory.Search(query, view);
    // A commune whose centre is unknown cannot sort by distance: the places are then listed
    // by name, and the page says why.
    if (!page && commune && !(commune->latitude && commune->longitude)) {
      d.set("has_unlocated", true);
      d.set("unlocated", "Nous ne connaissons pas la position de " + commune->name +
                             " : les lieux sont classés par nom, sans distance.");
      commune.reset();
      query.commune.reset();
      page = c.services.directory.Search(query, view);
    }
    if (!page) {
      if (page.error().code != ErrorCode::kInvalidArgument) {
        return ErrorResponse(c, request, page.error());
      }
      const std::string& field = page.error().field;
      errors.Add(field == "rayon_km" ? "rayon" : (field == "commune" ? "commune" : ""),
                 page.error().message);
    } else {
      if (page->commune) commune = page->commune;
      d.set("searched", true);
      d.set("summary", ResultSummary(p, page->total, commune));
      d.set("empty", page->items.empty());
      d.set("first_page", p.apres.empty());
      Data items = List();
      MapSpec map;
      map.id = "carte-resultats";
      map.title = "Carte des résultats";
      map.description =
          "Les résultats de la liste, avec le même numéro" +
          (commune ? std::string(", autour du centre de ") + commune->name : std::string()) +
          ". Chaque numéro est un lien vers la fiche.";
      int number = p.debut;
      for (const directory::Hit& hit : page->items) {
        if (!hit.structure) continue;
        ++number;
        items.push_back(ResultItem(hit, number, now));
        MapPoint point;
        if (hit.lieu) {
          point.latitude = hit.lieu->latitude;
          point.longitude = hit.lieu->longitude;
          point.itinerant = hit.lieu->itinerant;
        } else if (hit.structure->latitude && hit.structure->longitude) {
          point.latitude = *hit.structure->latitude;
          point.longitude = *hit.structure->longitude;
        } else {
          continue;
        }
        point.label = std::to_string(number);
        point.name = std::to_string(number) + ". " +
                     (hit.service ? hit.service->nom : hit.structure->nom) +
                     (hit.distance_km ? ", à " + FormatDistanceFr(*hit.distance_km) : "");
        point.href = hit.service ? StructureHref(hit.structure->id) + "#service-" +
                                       std::to_string(hit.service->id)
                                 : StructureHref(hit.structure->id);
        map.points.push_back(std::move(point));
      }
      if (commune && commune->latitude && commune->longitude) {
        map.centre =
            MapPoint{*commune->latitude, *commune->longitude, "", commune->name, "", false};
      }
      d.set("items", items);
      d.set("start", std::to_string(p.debut + 1));
      d.set("range", "Résultats " + std::to_string(p.debut + 1) + " à " + std::to_string(number) +
                         " sur " + std::to_string(page->total));
      const std::string svg = map.points.empty() ? std::string() : MapSvg(map);
      d.set("has_map", !svg.empty());
      d.set("map_svg", svg);
      d.set("has_next", page->suivant.has_value());
      d.set("has_pager", page->suivant.has_value() || !p.apres.empty());
      d.set("located", commune.has_value());
      FinderParams next = p;
      next.apres = page->suivant.value_or("");
      next.debut = number;
      d.set("next_href", FinderHref(next));
      FinderParams first = p;
      first.apres.clear();
      first.debut = 0;
      d.set("first_href", FinderHref(first));
      d.set("widenings", Widenings(p, commune.has_value()));
    }
  }
  d.set("form", errors.Summary());
  d.set("finder", FinderForm(c, p, errors, professional));
  d.set("professional", professional);
  d.set("can_write", Allowed(caller, Action::kDirectoryWrite));
  const int status = errors.empty() ? 200 : 422;
  return c.renderer.Page(status, caller, {"Où être accueilli ?", request.path, NoticeOf(request)},
                         "finder", std::move(d));
}

// ---- The page of a structure ----

// The French name of a zone d'éligibilité code.
std::string ZoneLabel(territory::TerritoryStore& territory, const std::string& code) {
  if (code == "france") return "toute la France";
  if (territory::IsInseeCode(code)) {
    auto commune = territory.FindCommune(code);
    if (commune && *commune) return (*commune)->name;
  }
  if (territory::IsDepartementCode(code)) {
    const std::string_view name = territory::DepartementName(code);
    if (!name.empty()) return std::string(name) + " (" + code + ")";
  }
  return code;
}

Data HoursData(const HoursState& state) {
  Data d = Object();
  d.set("open", state.kind == HoursState::Kind::kOpen);
  d.set("closed", state.kind == HoursState::Kind::kClosed);
  d.set("state", state.label);
  d.set("has_change", !state.next.empty());
  d.set("change", state.next);
  d.set("has_week", !state.week.empty());
  d.set("week", Strings(state.week));
  d.set("has_closure", !state.closure.empty());
  d.set("closure", state.closure);
  return d;
}

Data ServiceData(PageContext& c, const directory::Service& s, const directory::StructureDetail& d,
                 bool can_edit, TimePoint now) {
  Data item = Object();
  item.set("id", std::to_string(s.id));
  item.set("name", s.nom);
  item.set("description", s.description);
  item.set("unpublished", !s.publie);
  const std::vector<std::string> themes = Labels(Referentiel::kThematique, s.thematiques);
  item.set("has_themes", !themes.empty());
  item.set("themes", Strings(themes));
  const std::vector<std::string> publics = Labels(Referentiel::kPublic, s.publics);
  item.set("has_publics", !publics.empty() || s.publics_precisions);
  item.set("publics", Join(publics));
  SetOptional(item, "publics_precisions", s.publics_precisions);
  item.set("has_type", s.type.has_value());
  item.set("type", s.type ? std::string(directory::Label(Referentiel::kTypeService, *s.type))
                          : std::string());
  item.set("has_frais", s.frais.has_value() || s.frais_precisions.has_value());
  item.set("frais",
           s.frais ? std::string(directory::Label(Referentiel::kFrais, *s.frais)) : std::string());
  SetOptional(item, "frais_precisions", s.frais_precisions);
  SetOptional(item, "conditions_acces", s.conditions_acces);
  const std::vector<std::string> modes = Labels(Referentiel::kModeAccueil, s.modes_accueil);
  item.set("has_modes", !modes.empty());
  item.set("modes", Join(modes));
  const std::vector<std::string> mobilisation =
      Labels(Referentiel::kModeMobilisation, s.modes_mobilisation);
  const std::vector<std::string> by =
      Labels(Referentiel::kPersonneMobilisatrice, s.mobilisable_par);
  item.set("has_mobilisation", !mobilisation.empty() || !by.empty() || s.lien_mobilisation ||
                                   s.mobilisation_precisions);
  item.set("has_modes_mobilisation", !mobilisation.empty());
  item.set("modes_mobilisation", Join(mobilisation));
  item.set("has_mobilisable_par", !by.empty());
  item.set("mobilisable_par", Join(by));
  SetOptional(item, "lien_mobilisation", s.lien_mobilisation);
  SetOptional(item, "mobilisation_precisions", s.mobilisation_precisions);
  SetOptional(item, "telephone", s.telephone);
  item.set("tel_href", s.telephone ? "tel:" + TelHref(*s.telephone) : std::string());
  SetOptional(item, "courriel", s.courriel);
  SetOptional(item, "contact", s.contact_nom_prenom);
  std::vector<std::string> zones;
  for (const std::string& code : s.zone_eligibilite) {
    zones.push_back(ZoneLabel(c.services.territory, code));
  }
  item.set("has_zones", !zones.empty());
  item.set("zones", Join(zones));
  const bool own_hours = s.horaires_accueil && !text::Trim(*s.horaires_accueil).empty();
  item.set("has_hours", own_hours);
  item.set("hours", own_hours
                        ? HoursData(StateOfHours(
                              *s.horaires_accueil,
                              s.code_insee.value_or(d.structure.code_insee.value_or("")), {}, now))
                        : Object());
  Data permanences = List();
  for (const directory::Permanence& p : s.permanences) {
    Data perm = Object();
    std::string host_name = "Lieu n° " + std::to_string(p.host_structure_id);
    std::string host_address;
    std::string host_commune;
    for (const directory::Structure& host : d.hosts) {
      if (host.id != p.host_structure_id) continue;
      host_name = host.nom;
      host_address = Join(
          {host.adresse.value_or(""), host.code_postal.value_or(""), host.commune.value_or("")},
          " ");
      host_commune = host.code_insee.value_or("");
    }
    perm.set("host", host_name);
    perm.set("host_href", StructureHref(p.host_structure_id));
    perm.set("has_address", !text::Trim(host_address).empty());
    perm.set("address", std::string(text::Trim(host_address)));
    perm.set("hours", HoursData(StateOfHours(p.horaires, host_commune, {}, now)));
    perm.set("has_precisions", !p.precisions.empty());
    perm.set("precisions", p.precisions);
    permanences.push_back(perm);
  }
  item.set("has_permanences", !s.permanences.empty());
  item.set("permanences", permanences);
  item.set("can_edit", can_edit);
  item.set("edit_href", "/annuaire/services/" + std::to_string(s.id) + "/modifier");
  item.set("delete_href", "/annuaire/services/" + std::to_string(s.id) + "/supprimer");
  return item;
}

Response StructureShow(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const directory::View view = directory::ViewFor(caller.principal);
  const bool professional = view == directory::View::kProfessional;
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound("Cette fiche n'existe pas."));
  auto found = c.services.directory.GetStructure(*id, view);
  if (!found) return ErrorResponse(c, request, found.error());
  const directory::StructureDetail& detail = *found;
  const directory::Structure& s = detail.structure;
  const TimePoint now = c.services.clock.Now();
  const std::string today = ParisDate(now);
  const bool can_edit =
      Allowed(caller, Action::kDirectoryWrite) && c.services.directory.CanEdit(caller.principal, s);

  Data d = Object();
  d.set("id", std::to_string(s.id));
  d.set("professional", professional);
  d.set("can_edit", can_edit);
  d.set("edit_href", StructureHref(s.id) + "/modifier");
  d.set("new_service_href", StructureHref(s.id) + "/services/nouveau");
  d.set("unpublished", !s.publie);
  SetOptional(d, "description", s.description);
  SetOptional(d, "adresse", s.adresse);
  SetOptional(d, "complement_adresse", s.complement_adresse);
  const std::string town =
      std::string(text::Trim(Join({s.code_postal.value_or(""), s.commune.value_or("")}, " ")));
  d.set("has_town", !town.empty());
  d.set("town", town);
  SetOptional(d, "telephone", s.telephone);
  d.set("tel_href", s.telephone ? "tel:" + TelHref(*s.telephone) : std::string());
  SetOptional(d, "courriel", s.courriel);
  SetOptional(d, "site_web", s.site_web);
  d.set("has_contacts", s.telephone || s.courriel || s.site_web);

  // Hours, notices.
  d.set("hours", HoursData(StateOfHours(s.horaires_accueil.value_or(""), s.code_insee.value_or(""),
                                        s.avis, now)));
  Data notices = List();
  for (const directory::Notice& n : CurrentNotices(s.avis, today)) {
    Data item = Object();
    item.set("period", n.debut == n.fin
                           ? "Le " + FormatDateFr(n.debut)
                           : "Du " + FormatDateFr(n.debut) + " au " + FormatDateFr(n.fin));
    item.set("message", n.message);
    item.set("closure", n.fermeture);
    notices.push_back(item);
  }
  d.set("has_notices", !notices.is_empty_list());
  d.set("notices", notices);

  // How to come.
  const std::vector<std::string> channels = ChannelsFr(s.label);
  d.set("has_channels", !channels.empty());
  d.set("channels", Strings(channels));
  d.set("walk_in", s.label.sans_rendez_vous);
  d.set("appointment", s.label.sur_rendez_vous);
  d.set("hours_adapted", s.label.horaires_adaptes);
  d.set("confidential", s.label.espace_confidentiel);
  Data stops = List();
  MapSpec map;
  map.id = "carte-lieu";
  map.title = "Carte : " + s.nom;
  map.show_names = true;
  map.width = 400;
  map.height = 280;
  int number = 0;
  if (s.latitude && s.longitude) {
    ++number;
    map.points.push_back({*s.latitude, *s.longitude, std::to_string(number),
                          std::to_string(number) + ". " + s.nom, "", false});
  }
  for (const directory::ItinerantStop& stop : s.arrets) {
    Data item = Object();
    item.set("lieu", stop.lieu);
    std::string commune_name;
    if (!stop.code_insee.empty()) {
      auto commune = c.services.territory.FindCommune(stop.code_insee);
      if (commune && *commune) commune_name = (*commune)->name;
    }
    item.set("has_commune", !commune_name.empty());
    item.set("commune", commune_name);
    item.set("hours", HoursData(StateOfHours(stop.horaires, stop.code_insee, {}, now)));
    if (stop.latitude && stop.longitude) {
      ++number;
      item.set("has_number", true);
      item.set("number", std::to_string(number));
      map.points.push_back({*stop.latitude, *stop.longitude, std::to_string(number),
                            std::to_string(number) + ". Arrêt : " + stop.lieu, "", true});
    } else {
      item.set("has_number", false);
      item.set("number", "");
    }
    stops.push_back(item);
  }
  d.set("has_stops", !s.arrets.empty());
  d.set("stops", stops);
  map.description = s.arrets.empty()
                        ? "Emplacement du lieu d'accueil."
                        : "Emplacement du lieu d'accueil et de ses arrêts itinérants, numérotés "
                          "comme dans la liste des arrêts.";
  const std::string svg = MapSvg(map);
  d.set("has_map", !svg.empty());
  d.set("map_svg", svg);

  // Accessibility and the PASIP commitments.
  const std::vector<std::string> access = AccessibilityFr(s.accessibilite);
  d.set("has_accessibility", !access.empty() || s.accessibilite_lieu);
  d.set("accessibility", Strings(access));
  SetOptional(d, "accessibilite_lieu", s.accessibilite_lieu);
  d.set("label_complete", s.label.Complete());
  Data criteria = List();
  for (const directory::RefValue& criterion : directory::PasipCriteria()) {
    if (directory::GetCriterion(s.label, criterion.value).value_or(false)) {
      criteria.push_back(Text(criterion.label));
    }
  }
  d.set("has_criteria", s.label.Count() > 0);
  d.set("criteria", criteria);

  // Services.
  Data services = List();
  for (const directory::Service& service : detail.services) {
    services.push_back(ServiceData(c, service, detail, can_edit, now));
  }
  d.set("has_services", !detail.services.empty());
  d.set("services", services);

  // Partners' permanences held here: their hours at this place (its public holidays).
  Data hosted = List();
  for (const directory::HostedPermanence& held : detail.accueillies) {
    Data item = Object();
    item.set("partner", held.partner.nom);
    item.set("partner_href", StructureHref(held.partner.id));
    item.set("service", held.service.nom);
    item.set("service_href",
             StructureHref(held.partner.id) + "#service-" + std::to_string(held.service.id));
    item.set("unpublished", !held.service.publie || !held.partner.publie);
    const std::vector<std::string> themes =
        Labels(Referentiel::kThematique, held.service.thematiques);
    item.set("has_themes", !themes.empty());
    item.set("themes", Join(themes));
    item.set("hours",
             HoursData(StateOfHours(held.permanence.horaires, s.code_insee.value_or(""), {}, now)));
    item.set("has_precisions", !held.permanence.precisions.empty());
    item.set("precisions", held.permanence.precisions);
    SetOptional(item, "telephone", held.partner.telephone);
    item.set("tel_href",
             held.partner.telephone ? "tel:" + TelHref(*held.partner.telephone) : std::string());
    hosted.push_back(item);
  }
  d.set("has_hosted", !detail.accueillies.empty());
  d.set("hosted", hosted);

  // Professional view: referents, organisation, freshness.
  Data referents = List();
  if (professional) {
    for (const directory::Referent& r : s.referents) {
      Data item = Object();
      item.set("nom", r.nom);
      item.set("fonction", r.fonction);
      item.set("has_telephone", !r.telephone.empty());
      item.set("telephone", r.telephone);
      item.set("has_courriel", !r.courriel.empty());
      item.set("tel_href", r.telephone.empty() ? std::string() : "tel:" + TelHref(r.telephone));
      item.set("courriel", r.courriel);
      referents.push_back(item);
    }
  }
  d.set("has_referents", professional && !s.referents.empty());
  d.set("referents", referents);
  std::string organisation;
  if (professional && s.organisation_id) {
    auto found_org = c.services.identity.FindOrganisation(*s.organisation_id);
    if (found_org && *found_org) organisation = (*found_org)->name;
  }
  d.set("has_organisation", !organisation.empty());
  d.set("organisation", organisation);
  d.set("score", std::to_string(static_cast<int>(std::lround(detail.freshness.score * 100))));
  d.set("date_maj", FormatDateFr(s.date_maj));
  d.set("has_missing", !detail.freshness.manques.empty());
  d.set("missing", Strings(detail.freshness.manques));
  d.set("source", s.source);
  return c.renderer.Page(200, caller, {s.nom, request.path, NoticeOf(request)}, "structure",
                         std::move(d));
}

}  // namespace

Data FinderFormData(PageContext& context, const http::Request& request) {
  FinderParams p = FinderParamsOf(request);
  const bool professional =
      directory::ViewFor(CallerOf(request).principal) == directory::View::kProfessional;
  return FinderForm(context, p, {}, professional);
}

void RegisterDirectoryPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  router.Add(Method::kGet, "/annuaire", RouteKind::kPage, "public", Bind(context, Finder));
  router.Add(Method::kGet, "/annuaire/communes", RouteKind::kPage, "public",
             Bind(context, CommuneSuggestions));
  router.Add(Method::kGet, "/annuaire/structures/{id}", RouteKind::kPage, "public",
             Bind(context, StructureShow));
  RegisterDirectoryFormPages(router, context);
}

}  // namespace pasip::web
