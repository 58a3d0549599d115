#include "core/suppression.h"

#include <cstddef>
#include <limits>

namespace pasip {
namespace {

bool Small(std::int64_t v) { return v > 0 && v < kMinCell; }

}  // namespace

void SuppressSmallCells(std::vector<std::vector<Cell>>& rows, std::vector<Cell>& totals) {
  std::size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.size());
  for (auto& r : rows) r.resize(width);
  totals.assign(width, Cell{});
  for (std::size_t c = 0; c < width; ++c) {
    for (auto& r : rows) {
      totals[c].value += r[c].value;
      r[c].masked = r[c].masked || Small(r[c].value);
    }
    totals[c].masked = Small(totals[c].value);
  }
  for (std::size_t c = 0; c < width; ++c) {
    if (totals[c].masked) continue;  // no margin to recompute from
    for (;;) {
      int masked = 0;
      for (const auto& r : rows) masked += r[c].masked ? 1 : 0;
      if (masked != 1) break;
      // Mask the smallest other positive published cell; a lone masked cell whose column
      // has no other positive cell is then equal to the total: mask the total instead.
      std::size_t best = rows.size();
      std::int64_t best_value = std::numeric_limits<std::int64_t>::max();
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const Cell& cell = rows[i][c];
        if (!cell.masked && cell.value > 0 && cell.value < best_value) {
          best = i;
          best_value = cell.value;
        }
      }
      if (best == rows.size()) {
        totals[c].masked = true;
        break;
      }
      rows[best][c].masked = true;
    }
  }
}

}  // namespace pasip
