// Small-cell suppression for published statistics (security.md S6): a count of 1 to 10
// people is never published, and enough other cells are masked that a masked cell cannot be
// recomputed from the published margins. Pure, thread-safe.
//
// A table is rows × columns of counts whose column totals are published. Primary
// suppression masks every cell in 1..kMinCell-1 (totals included). Secondary suppression:
// in a column whose total is published, a lone masked cell would equal the total minus the
// others, so the smallest other positive cell is masked too (repeated until no column has
// exactly one masked cell). Zeros are published: they reveal nobody.
#pragma once

#include <cstdint>
#include <vector>

namespace pasip {

inline constexpr std::int64_t kMinCell = 11;

struct Cell {
  std::int64_t value = 0;  // meaningless (and never to be shown) when masked
  bool masked = false;
  bool operator==(const Cell&) const = default;
};

// Masks `rows` (each of the same width) and their column totals in place; `totals` is
// filled with the column sums (masked when under kMinCell and positive).
void SuppressSmallCells(std::vector<std::vector<Cell>>& rows, std::vector<Cell>& totals);

}  // namespace pasip
