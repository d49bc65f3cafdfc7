/* pylite: arena memory planner.
 *
 * Greedy by size, as TFLite's arena planner does: buffers are placed largest
 * first (ties broken by earlier first use, then by index, so the plan is
 * deterministic); each goes to the lowest offset where it fits between the
 * buffers already placed whose lifetimes overlap its own. Two buffers whose
 * [first, last] node ranges intersect never share bytes. The linear plan
 * (every buffer after the previous one) is the trivially correct oracle the
 * tests compare against. */
#include <stdlib.h>

#include "capi/core/interp.h"

static size_t align_up(size_t n, size_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

size_t pl_plan_linear(PlPlanItem* items, int32_t count, size_t alignment) {
  size_t end = 0;
  for (int32_t i = 0; i < count; ++i) {
    items[i].offset = end;
    end = align_up(end + items[i].size, alignment);
  }
  return end;
}

typedef struct {
  PlPlanItem* items;
  int32_t index;
} Order;

static int by_size_desc(const void* a, const void* b) {
  const Order* x = a;
  const Order* y = b;
  const PlPlanItem* p = &x->items[x->index];
  const PlPlanItem* q = &y->items[y->index];
  if (p->size != q->size) return p->size > q->size ? -1 : 1;
  if (p->first != q->first) return p->first < q->first ? -1 : 1;
  return x->index - y->index;
}

static int by_offset(const void* a, const void* b) {
  const PlPlanItem* p = *(PlPlanItem* const*)a;
  const PlPlanItem* q = *(PlPlanItem* const*)b;
  if (p->offset != q->offset) return p->offset < q->offset ? -1 : 1;
  return 0;
}

size_t pl_plan_greedy(PlPlanItem* items, int32_t count, size_t alignment) {
  if (count <= 0) return 0;
  Order* order = malloc(sizeof(Order) * (size_t)count);
  PlPlanItem** placed = malloc(sizeof(PlPlanItem*) * (size_t)count);
  PlPlanItem** live = malloc(sizeof(PlPlanItem*) * (size_t)count);
  if (!order || !placed || !live) {
    free(order);
    free(placed);
    free(live);
    return pl_plan_linear(items, count, alignment);
  }
  for (int32_t i = 0; i < count; ++i) order[i] = (Order){items, i};
  qsort(order, (size_t)count, sizeof(Order), by_size_desc);

  int32_t num_placed = 0;
  size_t arena = 0;
  for (int32_t k = 0; k < count; ++k) {
    PlPlanItem* item = &items[order[k].index];
    /* The placed buffers alive at the same time, by offset. */
    int32_t num_live = 0;
    for (int32_t j = 0; j < num_placed; ++j) {
      PlPlanItem* other = placed[j];
      if (other->first <= item->last && item->first <= other->last)
        live[num_live++] = other;
    }
    qsort(live, (size_t)num_live, sizeof(PlPlanItem*), by_offset);
    size_t offset = 0;
    for (int32_t j = 0; j < num_live; ++j) {
      if (item->size == 0 || offset + item->size <= live[j]->offset) break;
      size_t end = align_up(live[j]->offset + live[j]->size, alignment);
      if (end > offset) offset = end;
    }
    item->offset = offset;
    if (offset + item->size > arena) arena = offset + item->size;
    placed[num_placed++] = item;
  }
  free(order);
  free(placed);
  free(live);
  return align_up(arena, alignment);
}
