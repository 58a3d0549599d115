// Small-cell suppression (security.md S6): a property test over random tables — no published
// cell in 1..10, and no masked cell recoverable from its column's published total.
#include "core/suppression.h"

#include <gtest/gtest.h>

#include <random>

namespace pasip {
namespace {

TEST(SuppressionTest, MasksSmallCellsAndTheirComplement) {
  std::vector<std::vector<Cell>> rows = {{{3}, {0}}, {{40}, {12}}, {{25}, {11}}};
  std::vector<Cell> totals;
  SuppressSmallCells(rows, totals);
  EXPECT_TRUE(rows[0][0].masked);
  EXPECT_TRUE(rows[2][0].masked);  // the smallest other, so 3 cannot be recomputed
  EXPECT_FALSE(rows[1][0].masked);
  EXPECT_FALSE(rows[0][1].masked);  // zeros are published
  EXPECT_EQ(totals[0].value, 68);
  EXPECT_FALSE(totals[0].masked);
  EXPECT_FALSE(rows[1][1].masked);
}

TEST(SuppressionTest, ALoneSmallCellMasksTheTotal) {
  std::vector<std::vector<Cell>> rows = {{{5}}, {{0}}};
  std::vector<Cell> totals;
  SuppressSmallCells(rows, totals);
  EXPECT_TRUE(rows[0][0].masked);
  EXPECT_TRUE(totals[0].masked);
}

TEST(SuppressionTest, RandomTablesNeverRevealSmallCells) {
  std::mt19937 random(20261206);
  for (int round = 0; round < 5000; ++round) {
    int height = 1 + random() % 8, width = 1 + random() % 6;
    std::vector<std::vector<Cell>> rows(height, std::vector<Cell>(width));
    for (auto& r : rows) {
      for (Cell& c : r) {
        int kind = random() % 4;
        c.value = kind == 0 ? 0 : kind == 1 ? 1 + random() % 10 : 1 + random() % 60;
      }
    }
    std::vector<std::vector<Cell>> original = rows;
    std::vector<Cell> totals;
    SuppressSmallCells(rows, totals);
    for (int c = 0; c < width; ++c) {
      std::int64_t sum = 0;
      int masked = 0;
      for (int r = 0; r < height; ++r) {
        ASSERT_EQ(rows[r][c].value, original[r][c].value);
        sum += rows[r][c].value;
        if (rows[r][c].masked) {
          ++masked;
        } else {
          EXPECT_FALSE(rows[r][c].value > 0 && rows[r][c].value < kMinCell);
        }
      }
      EXPECT_EQ(totals[c].value, sum);
      if (!totals[c].masked) {
        EXPECT_FALSE(sum > 0 && sum < kMinCell);
        // With the total published, one masked cell would be the total minus the others.
        EXPECT_NE(masked, 1) << "round " << round << " column " << c;
      }
    }
  }
}

}  // namespace
}  // namespace pasip
