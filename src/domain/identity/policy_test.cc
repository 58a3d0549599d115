#include "domain/identity/policy.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace pasip::identity {
namespace {

std::vector<std::vector<std::string>> ReadMatrix() {
  std::ifstream in(std::string(PASIP_TEST_DATA_DIR) + "/policy_matrix.tsv");
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

std::string Expect(Decision d) {
  switch (d) {
    case Decision::kAllow:
      return "allow";
    case Decision::kUnauthenticated:
      return "login";
    case Decision::kSecondFactorMissing:
      return "second_factor";
    case Decision::kDeny:
      return "deny";
  }
  return "?";
}

TEST(Policy, MatrixFromTableCoversEveryActionAndRole) {
  const auto rows = ReadMatrix();
  ASSERT_GT(rows.size(), 1u);
  const auto& header = rows[0];
  ASSERT_EQ(header.size(), 7u);
  std::set<Action> covered;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    ASSERT_EQ(row.size(), header.size()) << row[0];
    const auto action = ParseAction(row[0]);
    ASSERT_TRUE(action) << "action inconnue : " << row[0];
    covered.insert(*action);
    EXPECT_EQ(Expect(Authorize(Principal{}, *action)), row[1]) << row[0] << " anonyme";
    for (std::size_t c = 2; c < header.size(); ++c) {
      const auto role = ParseRole(header[c]);
      ASSERT_TRUE(role) << header[c];
      Principal p;
      p.user_id = 10;
      p.memberships = {{1, *role, {}}};
      p.second_factor_verified = true;
      EXPECT_EQ(Expect(Authorize(p, *action)), row[c]) << row[0] << " × " << header[c];
    }
  }
  for (Action a : kAllActions) {
    EXPECT_TRUE(covered.count(a)) << "action absente de la matrice : " << ActionName(a);
  }
}

TEST(Policy, SecondFactorRequiredForAdminAndSocial) {
  for (Role role : {Role::kAdmin, Role::kSocial}) {
    Principal p;
    p.user_id = 1;
    p.memberships = {{1, role, {}}};
    p.second_factor_verified = false;
    EXPECT_EQ(Authorize(p, Action::kDashboard), Decision::kSecondFactorMissing);
    EXPECT_EQ(Authorize(p, Action::kSecondFactor), Decision::kAllow);
  }
  Principal accueil;
  accueil.user_id = 1;
  accueil.memberships = {{1, Role::kAccueil, {}}};
  accueil.second_factor_verified = false;
  EXPECT_EQ(Authorize(accueil, Action::kDashboard), Decision::kAllow);
  // An accueil agent who enrolled a second factor must pass it like everyone else.
  accueil.has_second_factor = true;
  EXPECT_EQ(Authorize(accueil, Action::kDashboard), Decision::kSecondFactorMissing);
  accueil.second_factor_verified = true;
  EXPECT_EQ(Authorize(accueil, Action::kDashboard), Decision::kAllow);
}

TEST(Policy, ActionNamesRoundTrip) {
  for (Action a : kAllActions) EXPECT_EQ(ParseAction(ActionName(a)), a);
  EXPECT_FALSE(ParseAction("users.delete"));
  EXPECT_FALSE(ParseAction(""));
}

TEST(Policy, PrincipalOrganisations) {
  Principal p;
  p.user_id = 3;
  p.memberships = {{1, Role::kAccueil, {}}, {2, Role::kPartenaire, {}}, {4, Role::kAccueil, {}}};
  EXPECT_EQ(p.OrganisationsWithRole(Role::kAccueil), (std::vector<OrganisationId>{1, 4}));
  EXPECT_TRUE(p.HasRole(Role::kPartenaire));
  EXPECT_FALSE(p.HasRole(Role::kAdmin));
}

}  // namespace
}  // namespace pasip::identity
