/* pylite: tests of the arena planner against its oracle (the linear plan):
 * buffers alive at the same time never overlap, offsets are aligned, and the
 * greedy arena is never larger than the linear one. */
#include <stdint.h>

#include "capi/core/interp.h"
#include "check.h"

static uint64_t state = 12345;
static uint32_t rnd(uint32_t n) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(state >> 33) % n;
}

static int valid(const PlPlanItem* items, int n, size_t arena, size_t align) {
  for (int i = 0; i < n; ++i) {
    if (items[i].offset % align) return 0;
    if (items[i].offset + items[i].size > arena) return 0;
    for (int j = i + 1; j < n; ++j) {
      int live = items[i].first <= items[j].last && items[j].first <= items[i].last;
      int overlap = items[i].offset < items[j].offset + items[j].size &&
                    items[j].offset < items[i].offset + items[i].size;
      if (live && overlap && items[i].size && items[j].size) return 0;
    }
  }
  return 1;
}

int main(void) {
  /* A chain a -> b -> c: a and c never live together, so they share. */
  PlPlanItem chain[3] = {{1000, 0, 1, 0}, {500, 1, 2, 0}, {1000, 2, 3, 0}};
  size_t arena = pl_plan_greedy(chain, 3, 64);
  CHECK(valid(chain, 3, arena, 64));
  CHECK(chain[0].offset == chain[2].offset);
  CHECK(arena == 1024 + 512);

  CHECK(pl_plan_greedy(NULL, 0, 64) == 0);

  for (int trial = 0; trial < 2000; ++trial) {
    int n = 1 + (int)rnd(40);
    PlPlanItem greedy[40], linear[40];
    for (int i = 0; i < n; ++i) {
      int32_t a = (int32_t)rnd(30), b = (int32_t)rnd(30);
      greedy[i] = (PlPlanItem){rnd(5) == 0 ? 0 : 1 + rnd(5000),
                               a < b ? a : b, a < b ? b : a, 0};
      linear[i] = greedy[i];
    }
    size_t g = pl_plan_greedy(greedy, n, 64);
    size_t l = pl_plan_linear(linear, n, 64);
    CHECK(valid(greedy, n, g, 64));
    CHECK(valid(linear, n, l, 64));
    CHECK(g <= l);
  }
  return CHECK_SUMMARY();
}
