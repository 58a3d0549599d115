#include "domain/reception/access.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace pasip::reception {
namespace {

using identity::Membership;
using identity::Principal;
using identity::Role;

constexpr OrganisationId kFollowing = 1;
constexpr OrganisationId kOther = 2;
constexpr UserId kUser = 10;
constexpr UserId kColleague = 20;

const std::vector<std::string> kRelations = {"suit", "ne_suit_pas", "auteur"};
const std::vector<std::string> kResources = {"identite", "passage", "note_generale",
                                             "note_confidentielle", "note_privee"};

std::vector<std::vector<std::string>> ReadMatrix() {
  std::ifstream in(std::string(PASIP_TEST_DATA_DIR) + "/reception_access_matrix.tsv");
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

Principal Holding(Role role, OrganisationId organisation = kFollowing) {
  Principal p;
  p.user_id = kUser;
  p.memberships = {Membership{organisation, role, {}}};
  p.second_factor_verified = true;
  return p;
}

// What the code decides for one cell of the table.
std::string Decide(Role role, const std::string& relation, const std::string& resource) {
  const Principal who = Holding(role);
  const std::vector<Follow> follows = {
      {7, relation == "ne_suit_pas" ? kOther : kFollowing, "passage", {}}};
  const Level level = AccessLevel(who, follows);
  bool allowed = false;
  if (resource == "identite" || resource == "passage") {
    allowed = level != Level::kNone;
  } else {
    Note note;
    note.person_id = 7;
    note.organisation_id = follows[0].organisation_id;
    note.author_id = relation == "auteur" ? kUser : kColleague;
    note.visibilite = resource.substr(std::string_view("note_").size());  // "generale"…
    allowed = CanReadNote(who, level, note);
  }
  return allowed ? "allow" : "deny";
}

TEST(ReceptionAccess, MatrixFromTableCoversEveryRoleRelationAndResource) {
  const auto rows = ReadMatrix();
  ASSERT_GT(rows.size(), 1u) << "tests/data/reception_access_matrix.tsv est vide ou absent";
  const std::vector<std::string> header = {"role", "relation", "resource", "expected"};
  ASSERT_EQ(rows[0], header);
  std::set<std::tuple<Role, std::string, std::string>> covered;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    ASSERT_EQ(row.size(), 4u) << "ligne " << r;
    const auto role = identity::ParseRole(row[0]);
    ASSERT_TRUE(role) << "rôle inconnu : " << row[0];
    ASSERT_TRUE(std::count(kRelations.begin(), kRelations.end(), row[1])) << row[1];
    ASSERT_TRUE(std::count(kResources.begin(), kResources.end(), row[2])) << row[2];
    ASSERT_TRUE(row[3] == "allow" || row[3] == "deny") << row[3];
    EXPECT_TRUE(covered.insert({*role, row[1], row[2]}).second)
        << "ligne en double : " << row[0] << " " << row[1] << " " << row[2];
    EXPECT_EQ(Decide(*role, row[1], row[2]), row[3])
        << row[0] << " × " << row[1] << " × " << row[2];
  }
  for (Role role : identity::kAllRoles) {
    for (const std::string& relation : kRelations) {
      for (const std::string& resource : kResources) {
        EXPECT_TRUE(covered.contains({role, relation, resource}))
            << "combinaison absente de la matrice : " << identity::RoleName(role) << " × "
            << relation << " × " << resource;
      }
    }
  }
}

TEST(ReceptionAccess, AnonymousPrincipalSeesNothing) {
  Principal anonymous;
  anonymous.memberships = {Membership{kFollowing, Role::kSocial, {}}};
  const std::vector<Follow> follows = {{7, kFollowing, "passage", {}}};
  EXPECT_EQ(AccessLevel(anonymous, follows), Level::kNone);
  EXPECT_EQ(ActingOrganisation(anonymous, follows), 0);
  EXPECT_TRUE(PersonOrganisations(anonymous).empty());
}

TEST(ReceptionAccess, NoFollowNoAccess) {
  EXPECT_EQ(AccessLevel(Holding(Role::kSocial), {}), Level::kNone);
  EXPECT_EQ(ActingOrganisation(Holding(Role::kSocial), {}), 0);
}

TEST(ReceptionAccess, HighestLevelOverSeveralMemberships) {
  Principal p;
  p.user_id = kUser;
  p.memberships = {Membership{kFollowing, Role::kAccueil, {}},
                   Membership{kOther, Role::kSocial, {}}, Membership{3, Role::kAdmin, {}}};
  const std::vector<Follow> only_first = {{7, kFollowing, "passage", {}}};
  EXPECT_EQ(AccessLevel(p, only_first), Level::kIdentity);
  EXPECT_EQ(ActingOrganisation(p, only_first), kFollowing);

  const std::vector<Follow> both = {{7, kFollowing, "passage", {}}, {7, kOther, "suivi", {}}};
  EXPECT_EQ(AccessLevel(p, both), Level::kConfidential);
  // The social membership gives the level: the principal acts for that organisation.
  EXPECT_EQ(ActingOrganisation(p, both), kOther);

  // Admin of a following organisation gives nothing by itself.
  const std::vector<Follow> admin_only = {{7, 3, "passage", {}}};
  EXPECT_EQ(AccessLevel(p, admin_only), Level::kNone);
  EXPECT_EQ(ActingOrganisation(p, admin_only), 0);
}

TEST(ReceptionAccess, ActingOrganisationIsTheFirstFollowingAmongEquals) {
  Principal p;
  p.user_id = kUser;
  p.memberships = {Membership{kOther, Role::kAccueil, {}},
                   Membership{kFollowing, Role::kAccueil, {}}};
  const std::vector<Follow> follows = {{7, kFollowing, "creation", {}}, {7, kOther, "suivi", {}}};
  EXPECT_EQ(ActingOrganisation(p, follows), kFollowing);
}

TEST(ReceptionAccess, WritingNotes) {
  struct Case {
    Level level;
    std::string_view visibilite;
    bool allowed;
  };
  const Case cases[] = {
      {Level::kNone, "generale", false},
      {Level::kNone, "privee", false},
      {Level::kNone, "confidentielle", false},
      {Level::kIdentity, "generale", true},
      {Level::kIdentity, "privee", true},
      {Level::kIdentity, "confidentielle", false},
      {Level::kConfidential, "generale", true},
      {Level::kConfidential, "privee", true},
      {Level::kConfidential, "confidentielle", true},
      {Level::kConfidential, "secrete", false},
      {Level::kConfidential, "", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CanWriteNote(c.level, c.visibilite), c.allowed)
        << static_cast<int>(c.level) << " " << c.visibilite;
  }
}

TEST(ReceptionAccess, UnknownVisibilityIsReadByNobody) {
  Note note;
  note.author_id = kUser;
  note.visibilite = "publique";
  EXPECT_FALSE(CanReadNote(Holding(Role::kSocial), Level::kConfidential, note));
}

TEST(ReceptionAccess, PrivateNoteNeedsAFollowingOrganisationEvenForItsAuthor) {
  // The author moved to an organisation that does not follow the person.
  Note note;
  note.author_id = kUser;
  note.visibilite = "privee";
  const Principal who = Holding(Role::kSocial, kOther);
  const std::vector<Follow> follows = {{7, kFollowing, "passage", {}}};
  EXPECT_FALSE(CanReadNote(who, AccessLevel(who, follows), note));
}

TEST(ReceptionAccess, PersonOrganisationsAreAccueilAndSocialOnes) {
  Principal p;
  p.user_id = kUser;
  p.memberships = {Membership{1, Role::kCoordination, {}}, Membership{2, Role::kSocial, {}},
                   Membership{3, Role::kPartenaire, {}},   Membership{4, Role::kAccueil, {}},
                   Membership{5, Role::kAdmin, {}},        Membership{2, Role::kAccueil, {}}};
  EXPECT_EQ(PersonOrganisations(p), (std::vector<OrganisationId>{2, 4}));
}

}  // namespace
}  // namespace pasip::reception
